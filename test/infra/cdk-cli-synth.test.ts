/**
 * `cdk synth` the way a user runs it: the CDK CLI itself (`npx cdk synth -q -o <dir>`), on every config the project
 * ships, then cfn-lint on what it wrote. The CLI sets `CDK_DEFAULT_REGION` (and `CDK_DEFAULT_ACCOUNT` with
 * credentials), which turns pseudo parameters into literals (`arn:aws:ec2:us-east-1:123456789012:…`): the in-process
 * synths of the other infra tests never see those forms. Each run takes 10–20 s, so variations share runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/gpu-reaper';
import { resolvePython } from '../../shared/local/python-tools.mjs';

const CLI_TIMEOUT_MS = 180_000;
const work = mkdtempSync(join(tmpdir(), 'gpu-reaper-cdk-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * The environment of a machine with no AWS setup: no credentials, profile or region (the CLI then picks us-east-1 and
 * no account), no instance metadata lookups, no version check over the network.
 */
function offlineEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && !key.startsWith('CDK_')),
  );
  return {
    ...env,
    AWS_CONFIG_FILE: join(work, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
    ...extra,
  };
}

function run(command: string, args: readonly string[], env: Record<string, string> = {}) {
  return spawnSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', env: offlineEnv(env), timeout: CLI_TIMEOUT_MS });
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** One CLI synth: options and environment. */
interface SynthRun {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
}

const examples = readdirSync(join(REPO_ROOT, 'config/examples')).filter((name) => name.endsWith('.json'));
/** An example covering an organization (`accounts`) is a hub: it needs the organization id and adds the spoke. */
const isHub = (name: string) =>
  (JSON.parse(readFileSync(join(REPO_ROOT, 'config/examples', name), 'utf8')) as { accounts?: unknown }).accounts !=
  null;
const RUNS: readonly SynthRun[] = [
  // The README's command as it stands: config/gpu-reaper.json from cdk.json, no account known.
  { name: 'the default config, with installAgent, without CDK_DEFAULT_*', args: ['-c', 'installAgent=true'], env: {} },
  ...examples.map((name) => ({
    name: `config/examples/${name}, with CDK_DEFAULT_REGION and CDK_DEFAULT_ACCOUNT`,
    args: ['-c', `config=config/examples/${name}`, ...(isHub(name) ? ['-c', 'organizationId=o-a1b2c3d4e5'] : [])],
    env: { CDK_DEFAULT_REGION: 'us-east-1', CDK_DEFAULT_ACCOUNT: '123456789012' },
  })),
];

describe('npx cdk synth', () => {
  it.each(RUNS)(
    'synthesizes $name with no cdk-nag finding, and cfn-lint passes',
    ({ args, env }) => {
      const outdir = mkdtempSync(join(work, 'out-'));
      const synth = run('npx', ['cdk', 'synth', '-q', ...args, '-o', outdir], env);
      const output = `${synth.stdout}${synth.stderr}`;
      expect(synth.error).toBeUndefined();
      expect(output).not.toMatch(/AwsSolutions-|Synthesis finished with errors|\[(Error|Warning) at /);
      expect(output).not.toMatch(/deprecated/i);
      expect(synth.status, output).toBe(0);

      const templates = readdirSync(outdir).filter((name) => name.endsWith('.template.json'));
      const hub = args.some((arg) => arg.startsWith('organizationId='));
      expect(templates.sort()).toEqual(
        hub ? ['GpuReaper.template.json', 'GpuReaperSpoke.template.json'] : ['GpuReaper.template.json'],
      );
      const template = JSON.parse(readFileSync(join(outdir, 'GpuReaper.template.json'), 'utf8')) as Template;
      const associations = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SSM::Association');
      expect(associations).toHaveLength(args.includes('installAgent=true') ? 2 : 0);

      const lint = spawnSync(
        resolvePython(),
        [
          '-c',
          'import sys; from cfnlint.runner import main; sys.exit(main())',
          ...templates.map((t) => join(outdir, t)),
        ],
        { encoding: 'utf8' },
      );
      expect(lint.error).toBeUndefined();
      expect(`${lint.stdout}${lint.stderr}`).toBe('');
      expect(lint.status).toBe(0);
    },
    CLI_TIMEOUT_MS,
  );
});

describe('a bad config', () => {
  const badConfig = join(work, 'bad.json');
  writeFileSync(badConfig, JSON.stringify({ idle: { threshold: 500 } }));
  const context = ['-c', `config=${badConfig}`];

  /** The one line naming the file and the key path. */
  const isConfigLine = (line: string) => /^gpu-reaper: .*bad\.json.*idle\.threshold/.test(line);

  it(
    'makes `npm run synth` exit 2 with one line naming the key path',
    () => {
      const result = run('npm', ['run', 'synth', '--', ...context, '-o', join(work, 'npm-out')], {
        npm_config_update_notifier: 'false',
      });
      expect(result.status).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(isConfigLine(lines[0] ?? '')).toBe(true);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'makes `npx cdk synth` print the same line, no stack trace, and exit 1 (the CLI’s code for a failed app)',
    () => {
      const result = run('npx', ['cdk', 'synth', '-q', ...context, '-o', join(work, 'cli-out')]);
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines.filter(isConfigLine)).toHaveLength(1);
      // Besides our line, only the CLI's own note that the app exited with 2.
      expect(lines.filter((line) => !isConfigLine(line))).toEqual([
        expect.stringMatching(/Subprocess exited with error 2$/),
      ]);
    },
    CLI_TIMEOUT_MS,
  );
});
