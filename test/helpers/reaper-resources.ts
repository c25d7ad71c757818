/**
 * What a `run` pass needs on a local endpoint: a fresh audit table, a topic, and an SQS queue subscribed to the topic
 * (the inbox a subscriber reads), plus the validated config that names them and the AWS clients the tests use.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientOptions } from '../../shared/adapters/aws/clients';
import { createAuditTable } from '../../shared/adapters/dynamodb/audit-table-setup';
import { AuditTrail } from '../../shared/adapters/dynamodb/audit-trail';
import { type ConfigInput, parseConfig } from '../../shared/config';

let created = 0;

/** Creates the resources under a unique name; the config is enforce mode in `region` unless `overrides` say else. */
async function reaperResources(region: string, prefix: string, overrides: ConfigInput = {}) {
  const options = clientOptions(region);
  const ec2 = new EC2Client(options);
  const cloudwatch = new CloudWatchClient(options);
  const sns = new SNSClient(options);
  const sqs = new SQSClient(options);
  const table = `${prefix}-${++created}-${Date.now()}`;
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
  const audit = new AuditTrail(DynamoDBDocumentClient.from(new DynamoDBClient(options)), table);
  /** The EC2 state of an instance (`running`, `stopped`, …). */
  const stateOf = async (id: string) => {
    const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    return answer.Reservations?.[0]?.Instances?.[0]?.State?.Name;
  };
  return { ec2, cloudwatch, sqs, table, topicArn: TopicArn!, queueUrl: QueueUrl!, config, audit, stateOf };
}

export { reaperResources };
