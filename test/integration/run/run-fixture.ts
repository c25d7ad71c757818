/**
 * A `run` pass wired exactly as the CLI and the Lambda wire it, against moto: table, topic, an SQS inbox.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAuditTable } from '../../../shared/adapters/audit-table-setup';
import { AuditTrail } from '../../../shared/adapters/audit-trail';
import { clientOptions } from '../../../shared/adapters/clients';
import { type ConfigInput, parseConfig } from '../../../shared/config';
import { drainQueue } from '../../../shared/local/demo-inbox';
import { composePublisher, composeRegions, composeTable } from '../../../shared/pass/compose';
import { type RunPassOptions, runPass } from '../../../shared/pass/run-pass';

let tables = 0;

/** Fresh table, topic and inbox queue; `pass(now)` runs one pass with the given config overrides. */
async function runFixture(region: string, overrides: ConfigInput = {}) {
  const options = clientOptions(region);
  const ec2 = new EC2Client(options);
  const cloudwatch = new CloudWatchClient(options);
  const sns = new SNSClient(options);
  const sqs = new SQSClient(options);
  const table = `reaper-test-${++tables}-${Date.now()}`;
  await createAuditTable(new DynamoDBClient(options), table);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: table }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: table }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
  const config = parseConfig({
    mode: 'enforce',
    regions: [region],
    ...overrides,
    auditTable: table,
    topicArn: TopicArn,
  });
  const edges = { config, regions: [region], homeRegion: region, table, topicArn: TopicArn! };

  const pass = (now: Date, extra: Pick<RunPassOptions, 'budget'> = {}) =>
    runPass({
      ...extra,
      config,
      now,
      ...composeRegions(edges),
      ...composeTable(edges, table),
      publisher: composePublisher(edges),
    });
  const inbox = () => drainQueue(sqs, QueueUrl!);
  const audit = new AuditTrail(DynamoDBDocumentClient.from(new DynamoDBClient(options)), table);
  const stateOf = async (id: string) => {
    const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    return answer.Reservations?.[0]?.Instances?.[0]?.State?.Name;
  };
  return { ec2, cloudwatch, config, table, pass, inbox, audit, stateOf };
}

export { runFixture };
