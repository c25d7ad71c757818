/**
 * docs/exit-codes.md says what the command really does: the codes of `cli/exit-codes.ts`, errors that start
 * `gpu-reaper:` (the argument parser's too, as the command prints them), and the codes a bad config gives
 * `npm run synth` (2) and the CDK CLI (1; test/infra/cdk-cli-synth.test.ts runs both).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../cli/exit-codes';
import { runCli } from '../../helpers/cli';

const PAGE = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'exit-codes.md'), 'utf8');
/** The page as one line, so a sentence wrapped in the markdown still matches. */
const FLAT = PAGE.replace(/\s+/g, ' ');

describe('docs/exit-codes.md', () => {
  it('lists exactly the codes the command exits with', () => {
    const listed = [...PAGE.matchAll(/^\| `(\d)` \|/gm)].map((match) => Number(match[1]));
    expect(listed).toEqual(Object.values(ExitCode).sort());
  });

  it('shows a usage error exactly as the command prints it, starting gpu-reaper:', async () => {
    expect(FLAT).not.toMatch(/start `error:`/);
    const example = /`(gpu-reaper: unknown option '--bogus')`/.exec(FLAT)?.[1];
    expect(example, 'the page shows an unknown-option error').toBeDefined();
    const run = await runCli(['plan', '--bogus']);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toBe(`${example}\n`);
  }, 30_000);

  it('says a bad config makes npm run synth exit 2 and the CDK CLI exit 1', () => {
    expect(FLAT).toMatch(/`npm run synth` \([^)]*\) exits `2`/);
    expect(FLAT).toMatch(/`npx cdk synth` and `npx cdk deploy` print that line too, .* but exit `1`/);
    expect(FLAT).not.toMatch(/fail with code 2/);
  });
});
