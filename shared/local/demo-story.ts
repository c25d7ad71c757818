/**
 * The demo's story: a local AWS endpoint, a realistic GPU fleet, and real reaper passes over simulated hours
 * (the clock is injected, as `--now` does), then the notifications as owners read them and the audit trail; then
 * a short scene with an organization: a hub and two member accounts, one of them in enforce by override; last,
 * cost-gating in a region of its own: an expensive run approved, one stopped, a team over its budget.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientOptions } from '../adapters/aws/clients';
import { createAuditTable } from '../adapters/dynamodb/audit-table-setup';
import { AuditTrail } from '../adapters/dynamodb/audit-trail';
import { parseConfig } from '../config';
import { composeOwnerActions, composeOwnerLinks } from '../owner-actions/compose';
import { composePublisher, composeRegions, composeTable } from '../pass/compose';
import { type RunPassResult, runPass } from '../pass/run-pass';
import { DEMO_FLEET, seedDemoFleet } from './demo-fleet';
import { type GatingPrinter, runGatingScene } from './demo-gating';
import { drainQueue, type InboxMessage } from './demo-inbox';
import { type OrganizationPrinter, runOrganizationScene } from './demo-organization';
import { answerFromEmail, createLinkKey, OWNER_SCENE, type OwnerScene } from './demo-owner-answer';
import { localAwsEnv, startMotoServer } from './moto-server';
import { type OwnerActionServer, startOwnerActionServer } from './owner-action-server';

const REGION = 'us-east-1';
const TABLE = 'gpu-reaper-demo';
/** Minutes after launch at which the demo runs a pass: each one shows a step of the story. */
const PASS_MINUTES = [35, 70, 110, 120, 150] as const;

/** What the story reports as it goes (then the organization and cost-gating scenes); the CLI renders it. */
interface DemoPrinter extends OrganizationPrinter, GatingPrinter {
  intro(fleet: typeof DEMO_FLEET, endpoint: string): void;
  pass(
    index: number,
    total: number,
    minutesAfterLaunch: number,
    result: RunPassResult,
    names: Map<string, string>,
  ): void;
  /** The owner's answer from the WARNED email: the link opened, the button pressed, what was recorded. */
  ownerAnswer(scene: OwnerScene, names: Map<string, string>): void;
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
  let endpoint: OwnerActionServer | undefined;
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
    // The owner-action endpoint on loopback, as the Function URL would serve it; its clock follows the story's.
    const keyId = await createLinkKey(new KMSClient(options));
    const clock = { now: new Date(base) };
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const owners = composeOwnerActions({ ...edges, table: TABLE, keyId, log: quiet, now: () => clock.now });
    endpoint = await startOwnerActionServer(owners);
    const linkSettings = { config, homeRegion: REGION, keyId, baseUrl: endpoint.url };
    const delivered: InboxMessage[] = [];
    const receive = async () => {
      const fresh = await drainQueue(sqs, inbox.queueUrl);
      delivered.push(...fresh);
      return fresh;
    };

    for (const [index, minutes] of PASS_MINUTES.entries()) {
      if (minutes > OWNER_SCENE.minutes && !delivered.some((m) => m.event.by === 'owner')) {
        clock.now = new Date(base + OWNER_SCENE.minutes * 60_000);
        const instanceId = ids.get(OWNER_SCENE.instance)!;
        const scene = await answerFromEmail(await receive(), instanceId, OWNER_SCENE.minutes, clock.now);
        if (scene) printer.ownerAnswer({ ...scene, events: (await receive()).map((m) => m.event) }, names);
      }
      const now = new Date(base + minutes * 60_000);
      clock.now = now;
      const result = await runPass({
        config,
        now,
        ...composeRegions(edges),
        ...composeTable(edges, TABLE),
        publisher: composeOwnerLinks(composePublisher(edges), linkSettings),
      });
      printer.pass(index, PASS_MINUTES.length, minutes, result, names);
    }

    await receive();
    printer.inbox(delivered, names);
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient(options));
    const end = new Date(base + (Math.max(...PASS_MINUTES) + 1) * 60_000);
    printer.audit(await new AuditTrail(documents, TABLE).between(new Date(launch - 60_000), end), names);
    printer.finalStates(await instanceStates(ec2, ids));
    // The same reaper over a hub and two member accounts: one pass per account × region.
    await runOrganizationScene(printer, REGION);
    // Approval before an expensive run, and a team's budget, in a region of its own.
    await runGatingScene(printer);
  } finally {
    await endpoint?.stop();
    await moto.stop();
  }
}

export type { DemoPrinter };
export { PASS_MINUTES, runDemo };
