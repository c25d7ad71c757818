/**
 * A `run` pass wired exactly as the CLI and the Lambda wire it, against moto: table, topic, an SQS inbox.
 */
import type { Config, ConfigInput } from '../../../shared/config';
import { drainQueue } from '../../../shared/local/demo-inbox';
import { composePublisher, composeRegions, composeTable } from '../../../shared/pass/compose';
import { type RunPassOptions, runPass } from '../../../shared/pass/run-pass';
import { reaperResources } from '../../helpers/reaper-resources';

/** Fresh table, topic and inbox queue; `pass(now)` runs one pass with the given config overrides. */
async function runFixture(region: string, overrides: ConfigInput = {}) {
  const resources = await reaperResources(region, 'reaper-test', overrides);
  const { config, table, topicArn, sqs, queueUrl } = resources;
  const edges = { config, regions: [region], homeRegion: region, table, topicArn };

  /** One pass; `topicArn` replaces the fixture's topic for this pass (a topic that does not exist, say). */
  const pass = (now: Date, extra: Pick<RunPassOptions, 'budget'> & { topicArn?: string; config?: Config } = {}) =>
    runPass({
      budget: extra.budget,
      config: extra.config ?? config,
      now,
      ...composeRegions(edges),
      ...composeTable(edges, table),
      publisher: composePublisher({ ...edges, topicArn: extra.topicArn ?? topicArn }),
    });
  const inbox = () => drainQueue(sqs, queueUrl);
  return { ...resources, pass, inbox };
}

export { runFixture };
