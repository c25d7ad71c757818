/**
 * Bad config files through the real `gpu-reaper` bin: exit code 2, nothing on stdout, and one stderr line naming the
 * file and the key path, never a stack trace. No AWS is reached: the config is refused first. (Each case spawns the
 * bin; the full matrix of bad documents is in test/unit/hostile-input/hostile-config.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'gpu-reaper-cli-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An endpoint nothing listens on: were the CLI to call AWS, it would fail with exit 3, not 2. */
const env = {
  ...process.env,
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
};

describe('gpu-reaper with a bad config file', () => {
  it.each([
    ['null', 'null', '(root): must be an object (got null)'],
    ['a wrong type', '{"idle": {"threshold": "5"}}', 'idle.threshold: must be a number (got "5")'],
    ['an unknown nested key', '{"idle": {"windwo": "1h"}}', 'idle.windwo: unknown key (did you mean "window"?)'],
    [
      'two problems',
      '{"mode": "yolo", "idle": {"threshold": 500}}',
      'mode: must be one of "dry-run", "enforce" (got "yolo"); idle.threshold: must be at most 100 (got 500)',
    ],
    ['an empty file', '', '(root): not valid JSON'],
  ])('refuses %s with exit 2 and the key path', async (name, text, message) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(path, text);

    const { code, stdout, stderr } = await runCli(['plan', '--config', path, '--region', 'us-east-1'], env);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`gpu-reaper: invalid config in ${path}: ${message}`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses the same file the same way for run', async () => {
    const path = join(dir, 'run.json');
    writeFileSync(path, '{"maxActionsPerPass": -1}');

    const { code, stderr } = await runCli(['run', '--config', path, '--table', 'audit'], env);

    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(
      /^gpu-reaper: invalid config in .*run\.json: maxActionsPerPass: must be at least 0 \(got -1\)$/,
    );
  });
});
