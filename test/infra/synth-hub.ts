/**
 * Synthesizes the hub (config `accounts` set) and the standalone spoke stack for infra tests, with the context of
 * `cdk synth` and cdk-nag applied, as infra/app.ts builds them.
 */
import { App, Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GpuReaperSpokeStack } from '../../infra/stacks/gpu-reaper-spoke-stack';
import { GpuReaperStack, type GpuReaperStackProps } from '../../infra/stacks/gpu-reaper-stack';
import { type ConfigInput, parseConfig } from '../../shared/config';
import { cdkJsonContext, FIXTURE_ENTRY } from './synth-stack';

/** The organization of the tests. */
const ORGANIZATION_ID = 'o-a1b2c3d4e5';
/** The OU of the tests' config. */
const OU = 'ou-ab12-34cd56ef';

/** A config covering an organization: one OU, an excluded account, an OU and an account override. */
const HUB_CONFIG: ConfigInput = {
  regions: ['us-east-1', 'us-west-2'],
  scope: { tags: { Purpose: ['transient-ml-training'] } },
  accounts: {
    organization: { ous: [OU] },
    exclude: ['222222222222'],
    overrides: { [OU]: { idle: { threshold: 3 } }, '111111111111': { mode: 'enforce' } },
  },
};

/** Options of {@link synthHub}. */
interface HubSynthOptions {
  /** @default HUB_CONFIG */
  readonly config?: ConfigInput;
  /** Infra options over the fixture entries and the organization id. */
  readonly reaper?: GpuReaperStackProps['reaper'];
  /** Stack options (root id, call-as, stack set on or off). */
  readonly stack?: Pick<GpuReaperStackProps, 'organizationRootId' | 'spokeCallAs' | 'spokeStackSet'>;
}

/** Builds the hub and the spoke stack in one app with cdk-nag, bundling skipped, and returns both templates. */
function synthHub(options: HubSynthOptions = {}) {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const config = parseConfig(options.config ?? HUB_CONFIG);
  const hub = new GpuReaperStack(app, 'GpuReaper', {
    config,
    reaper: {
      organizationId: ORGANIZATION_ID,
      reaperEntry: FIXTURE_ENTRY,
      digestEntry: FIXTURE_ENTRY,
      dispatcherEntry: FIXTURE_ENTRY,
      workerEntry: FIXTURE_ENTRY,
      ...options.reaper,
    },
    ...options.stack,
  });
  const spoke = new GpuReaperSpokeStack(app, 'GpuReaperSpoke', { config, organizationId: ORGANIZATION_ID });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, hub, spoke, hubTemplate: Template.fromStack(hub), spokeTemplate: Template.fromStack(spoke) };
}

export type { HubSynthOptions };
export { HUB_CONFIG, ORGANIZATION_ID, OU, synthHub };
