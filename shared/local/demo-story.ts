/**
 * The demo's story: a local AWS endpoint, a realistic GPU fleet, and real reaper passes over simulated hours
 * (the clock is injected, as `--now` does), then the notifications as owners read them and the audit trail.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientOptions } from '../adapters/aws/clients';
import { createAuditTable } from '../adapters/dynamodb/audit-table-setup';
import { AuditTrail } from '../adapters/dynamodb/audit-trail';
import { parseConfig } from '../config';
import { composePublisher, composeRegions, composeTable } from '../pass/compose';
import { type RunPassResult, runPass } from '../pass/run-pass';
import { DEMO_FLEET, seedDemoFleet } from './demo-fleet';
import { drainQueue } from './demo-inbox';
import { localAwsEnv, startMotoServer } from './moto-server';

const REGION = 'us-east-1';
const TABLE = 'gpu-reaper-demo';
/** Minutes after launch at which the demo runs a pass: each one shows a step of the story. */
const PASS_MINUTES = [35, 70, 110, 120, 150] as const;

/** What the story reports as it goes; the CLI renders it. */
interface DemoPrinter {
  intro(fleet: typeof DEMO_FLEET, endpoint: string): void;
  pass(
    index: number,
    total: number,
    minutesAfterLaunch: number,
    result: RunPassResult,
    names: Map<string, string>,
  ): void;
  inbox(messages: Awaited<ReturnType<typeof drainQueue>>, names: Map<string, string>): void;
  audit(items: Awaited<ReturnType<AuditTrail['between']>>, names: Map<string, string>): void;
  finalStates(states: { name: string; state: string }[]): void;
}

async function createInbox(sns: SNSClient, sqs: SQSClient) {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'gpu-reaper-demo' }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'gpu-reaper-demo-inbox' }));
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = attributes.Attributes?.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn }));
  return { topicArn: TopicArn!, queueUrl: QueueUrl! };
}

async function instanceStates(ec2: EC2Client, ids: Map<string, string>) {
  const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [...ids.values()] }));
  const byId = new Map<string, string>();
  for (const reservation of answer.Reservations ?? []) {
    for (const instance of reservation.Instances ?? []) byId.set(instance.InstanceId!, instance.State?.Name ?? '?');
  }
  return [...ids].map(([name, id]) => ({ name, state: byId.get(id) ?? 'gone' }));
}

/**
 * Runs the whole demo against a fresh local moto server, which is stopped afterwards whatever happens.
 *
 * @example await runDemo(consolePrinter)
 */
async function runDemo(printer: DemoPrinter): Promise<void> {
  // One request at a time: moto's threaded server does not make DynamoDB's conditional writes atomic.
  const moto = await startMotoServer({ threaded: false });
  try {
    Object.assign(process.env, localAwsEnv(moto.endpoint, REGION));
    const options = clientOptions(REGION);
    const ec2 = new EC2Client(options);
    const sns = new SNSClient(options);
    const sqs = new SQSClient(options);
    await createAuditTable(new DynamoDBClient(options), TABLE);
    const inbox = await createInbox(sns, sqs);
    printer.intro(DEMO_FLEET, moto.endpoint);

    // Telemetry starts at the minute the fleet launches; passes count from the minute after the last LaunchTime,
    // so a 2h max-runtime is due exactly at "launch + 2h00m".
    const launch = Math.floor(Date.now() / 60_000) * 60_000;
    const ids = await seedDemoFleet(ec2, new CloudWatchClient(options), launch, Math.max(...PASS_MINUTES) + 5);
    const base = Math.ceil(Date.now() / 60_000) * 60_000;
    const names = new Map([...ids].map(([name, id]) => [id, name]));
    const config = parseConfig({ mode: 'enforce', regions: [REGION], auditTable: TABLE, topicArn: inbox.topicArn });
    const edges = { config, regions: [REGION], homeRegion: REGION, table: TABLE, topicArn: inbox.topicArn };

    for (const [index, minutes] of PASS_MINUTES.entries()) {
      const result = await runPass({
        config,
        now: new Date(base + minutes * 60_000),
        ...composeRegions(edges),
        ...composeTable(edges, TABLE),
        publisher: composePublisher(edges),
      });
      printer.pass(index, PASS_MINUTES.length, minutes, result, names);
    }

    printer.inbox(await drainQueue(sqs, inbox.queueUrl), names);
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient(options));
    const end = new Date(base + (Math.max(...PASS_MINUTES) + 1) * 60_000);
    printer.audit(await new AuditTrail(documents, TABLE).between(new Date(launch - 60_000), end), names);
    printer.finalStates(await instanceStates(ec2, ids));
  } finally {
    await moto.stop();
  }
}

export type { DemoPrinter };
export { PASS_MINUTES, runDemo };
