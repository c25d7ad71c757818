/**
 * The whole default template: one snapshot without asset hashes, cdk-nag AwsSolutions with zero unacknowledged
 * findings (each acknowledgement sits beside its resource with a reason), and cfn-lint clean. Bundling is skipped:
 * it changes nothing here but the asset hash, which the snapshot strips anyway.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuReaperStack } from '../../infra/stacks/gpu-reaper-stack';
import { resolvePython } from '../../shared/local/python-tools.mjs';
import { synthStack } from './synth-stack';

let stack: GpuReaperStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthStack({ bundle: false }));
});

describe('the whole template', () => {
  it('matches the snapshot (asset hashes stripped)', () => {
    const text = JSON.stringify(template.toJSON(), null, 2).replace(/[0-9a-f]{64}(\.zip)?/g, '<asset-hash>$1');
    expect(JSON.parse(text)).toMatchSnapshot();
  });

  it('has no unacknowledged cdk-nag AwsSolutions finding, and no error or warning at all', () => {
    // Synth would already have thrown on a nag error; warnings (and info) are checked here.
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('is cfn-lint clean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-reaper-cfn-lint-'));
    try {
      const file = join(dir, 'template.json');
      writeFileSync(file, JSON.stringify(template.toJSON(), null, 2));
      const python = resolvePython();
      // Through the project's Python (`$PYTHON`, else `.venv`) rather than a `cfn-lint` command on the PATH.
      const lint = spawnSync(python, ['-c', 'import sys; from cfnlint.runner import main; sys.exit(main())', file], {
        encoding: 'utf8',
      });
      expect(lint.error).toBeUndefined();
      // Exit 0: no error, no warning; cfn-lint's informational findings would be exit 8.
      expect(`${lint.stdout}${lint.stderr}`).toBe('');
      expect(lint.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
