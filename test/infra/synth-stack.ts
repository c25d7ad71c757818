/**
 * Synthesizes the gpu-reaper stack for infra tests, with the same context as `cdk synth` (cdk.json) and cdk-nag's
 * AwsSolutions checks applied, so one synth serves template assertions, annotations and cfn-lint.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { REPO_ROOT } from '../../infra/constructs/gpu-reaper';
import { GpuReaperStack, type GpuReaperStackProps } from '../../infra/stacks/gpu-reaper-stack';
import { type ConfigInput, parseConfig } from '../../shared/config';

/** A Lambda entry that bundles in milliseconds. */
const FIXTURE_ENTRY = join(REPO_ROOT, 'test/infra/fixtures/handler.ts');

/** The context of cdk.json (feature flags and the default config path). */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/** Options of {@link synthStack}. */
interface SynthOptions {
  /** The config document. @default {} (the config defaults) */
  readonly config?: ConfigInput;
  /** Infra options. @default the fixture entry */
  readonly reaper?: GpuReaperStackProps['reaper'];
  /** Bundle the Lambda with esbuild; off skips bundling (shape-only tests). @default true */
  readonly bundle?: boolean;
}

/** Builds an app with one GpuReaperStack and cdk-nag, synthesizes it, and returns the stack and its template. */
function synthStack(options: SynthOptions = {}) {
  const app = new App({
    context: { ...cdkJsonContext(), ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}) },
  });
  const stack = new GpuReaperStack(app, 'GpuReaper', {
    config: parseConfig(options.config ?? {}),
    reaper: {
      reaperEntry: FIXTURE_ENTRY,
      digestEntry: FIXTURE_ENTRY,
      ownerActionEntry: FIXTURE_ENTRY,
      ...options.reaper,
    },
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  const template = Template.fromStack(stack);
  return { app, stack, template };
}

export type { SynthOptions };
export { cdkJsonContext, FIXTURE_ENTRY, synthStack };
