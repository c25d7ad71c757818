/**
 * The CDK app (`cdk.json` runs it with tsx). The only place that reads CDK context and the environment:
 *
 * - `-c config=PATH`: the config file, the same JSON the CLI reads (default in cdk.json: config/gpu-reaper.json).
 *   An invalid file fails the app with one line naming every bad key path, exit code 2 (the CDK CLI reports any
 *   failed app as its own exit code 1; `npm run synth`, scripts/synth.ts, checks the file first and exits 2).
 * - `-c stackName=NAME` (default `GpuReaper`), `-c installAgent=true` (default false).
 * - With `accounts` in the config (an organization): `-c organizationId=o-…` (required: the worker may assume the
 *   spoke role only in this organization), `-c organizationRootId=r-…` (when `accounts.organization.ous` is `[]`),
 *   `-c spokeCallAs=DELEGATED_ADMIN` (a StackSets delegated administrator hub; default `SELF`),
 *   `-c spokeStackSet=false` (no stack set: deploy `GpuReaperSpoke` yourself), and for that standalone spoke
 *   `-c hubWorkerRoleArn=ARN` (the hub's `WorkerRoleArn` output; else pass it as the stack's parameter) and
 *   `-c hubEventBusArn=ARN` (the hub's `LaunchEventBusArn` output; likewise) and `-c hubEndpointRoleArn=ARN` (the
 *   hub's `OwnerActionRoleArn` output, when the hub has the owner-action endpoint; likewise).
 * - `CDK_DEFAULT_ACCOUNT` / `CDK_DEFAULT_REGION`, set by the CDK CLI when credentials are present; without them the
 *   stacks are environment-agnostic, so `cdk synth` works offline. No lookups.
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type Config, loadConfigFile } from '../shared/config';
import { GpuReaperSpokeStack } from './stacks/gpu-reaper-spoke-stack';
import { GpuReaperStack } from './stacks/gpu-reaper-stack';

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null ? undefined : String(value);
};

/** Reports a problem of the config or the context as one clear line, no stack trace, and exits 2. */
function fail(error: unknown): never {
  console.error(`gpu-reaper: ${(error as Error).message}`);
  process.exit(2);
}

let config: Config;
try {
  config = loadConfigFile(context('config'));
} catch (error) {
  // The message already names the file and every bad key path.
  fail(error);
}

const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
const organizationId = context('organizationId');
const callAs = context('spokeCallAs');
if (callAs !== undefined && callAs !== 'SELF' && callAs !== 'DELEGATED_ADMIN') {
  fail(new Error(`-c spokeCallAs: must be SELF or DELEGATED_ADMIN, got "${callAs}"`));
}
try {
  const hub = new GpuReaperStack(app, context('stackName') ?? 'GpuReaper', {
    config,
    reaper: { installAgent: context('installAgent') === 'true', organizationId },
    organizationRootId: context('organizationRootId'),
    spokeCallAs: callAs as 'SELF' | 'DELEGATED_ADMIN' | undefined,
    spokeStackSet: context('spokeStackSet') !== 'false',
    env,
  });
  if (config.accounts !== null) {
    new GpuReaperSpokeStack(app, 'GpuReaperSpoke', {
      config,
      organizationId,
      hubWorkerRoleArn: context('hubWorkerRoleArn'),
      hubEventBusArn: context('hubEventBusArn'),
      // The hub's endpoint answers member accounts' links through this role too.
      ownerActions: hub.reaper.ownerActions !== undefined,
      hubEndpointRoleArn: context('hubEndpointRoleArn'),
      env,
    });
  }
} catch (error) {
  // Props checked at synth (an organization id missing, a bad value): one line naming the prop.
  fail(error);
}
// cdk-nag on every synth: an unacknowledged AwsSolutions finding fails it.
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
