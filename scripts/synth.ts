/**
 * `npm run synth [-- <cdk synth options>]`: checks the config file first, then runs `cdk synth` with the same options.
 *
 * A bad config exits 2 with one line naming every bad key path, as the CLI does. `npx cdk synth` prints the same line
 * (infra/app.ts exits 2), but the CDK CLI turns any failure of the app into its own exit code 1.
 * The config is the one `cdk synth` would read: the last `-c config=PATH` (or `--context config=PATH`), else the
 * `config` context of cdk.json.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadConfigFile } from '../shared/config';
import { ConfigError } from '../shared/errors';

/** The value of the last `config=` context option in `args`, if any. */
function contextConfigPath(args: readonly string[]): string | undefined {
  let path: string | undefined;
  args.forEach((arg, index) => {
    const option = arg === '-c' || arg === '--context' ? args[index + 1] : /^(?:-c|--context)=(.*)$/s.exec(arg)?.[1];
    const value = option === undefined ? undefined : /^config=(.*)$/s.exec(option)?.[1];
    if (value !== undefined) path = value;
  });
  return path;
}

/** The `config` context of cdk.json (the app's default). */
function defaultConfigPath(): string | undefined {
  const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context?: { config?: unknown } };
  const path = cdkJson.context?.config;
  return typeof path === 'string' ? path : undefined;
}

const args = process.argv.slice(2);
try {
  loadConfigFile(contextConfigPath(args) ?? defaultConfigPath());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`gpu-reaper: ${error.message}`);
  process.exit(2);
}

const cdkBin = join(dirname(createRequire(import.meta.url).resolve('aws-cdk/package.json')), 'bin', 'cdk');
const synth = spawnSync(process.execPath, [cdkBin, 'synth', ...args], { stdio: 'inherit' });
if (synth.error) throw synth.error;
process.exit(synth.status ?? 1);
