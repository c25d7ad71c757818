/**
 * The real entries (functions/reaper.ts, functions/digest.ts) bundle with the local esbuild, as `cdk synth` does on a fresh clone:
 * no Docker, ESM for Node.js on arm64. The other infra tests bundle a stand-in entry to stay fast and independent.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { functionEntry } from '../../infra/constructs/gpu-reaper';
import { synthStack } from './synth-stack';

describe('functions/reaper.ts', () => {
  it('bundles with the local esbuild into the reaper Lambda', () => {
    const { stack, template } = synthStack({ reaper: { reaperEntry: functionEntry('reaper') } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Code: { S3Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$') },
    });
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('functions/digest.ts', () => {
  it('bundles with the local esbuild into the digest Lambda', () => {
    const { stack, template } = synthStack({ reaper: { digestEntry: functionEntry('digest') } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^gpu-reaper: weekly digest'),
      Handler: 'index.handler',
      Code: { S3Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$') },
    });
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});
