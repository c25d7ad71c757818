/**
 * The CDK app (`cdk.json` runs it with tsx). The only place that reads CDK context and the environment:
 *
 * - `-c config=PATH`: the config file, the same JSON the CLI reads (default in cdk.json: config/gpu-reaper.json).
 *   An invalid file fails the app with one line naming every bad key path, exit code 2 (the CDK CLI reports any
 *   failed app as its own exit code 1; `npm run synth`, scripts/synth.ts, checks the file first and exits 2).
 * - `-c stackName=NAME` (default `GpuReaper`), `-c installAgent=true` (default false).
 * - `CDK_DEFAULT_ACCOUNT` / `CDK_DEFAULT_REGION`, set by the CDK CLI when credentials are present; without them the
 *   stack is environment-agnostic, so `cdk synth` works offline. No lookups.
 */
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type Config, loadConfigFile } from '../shared/config';
import { GpuReaperStack } from './stacks/gpu-reaper-stack';

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null ? undefined : String(value);
};

let config: Config;
try {
  config = loadConfigFile(context('config'));
} catch (error) {
  // One clear line, no stack trace: the message already names the file and every bad key path.
  console.error(`gpu-reaper: ${(error as Error).message}`);
  process.exit(2);
}

new GpuReaperStack(app, context('stackName') ?? 'GpuReaper', {
  config,
  reaper: { installAgent: context('installAgent') === 'true' },
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// cdk-nag on every synth: an unacknowledged AwsSolutions finding fails it.
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
