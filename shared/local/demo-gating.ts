/**
 * The demo's cost-gating scene, in a region of its own so the earlier scenes' numbers stay as they are: an admin
 * gates expensive runs (a $200 projected-cost threshold, approvers ml-leads@example.com, a 15m grace) and gives team
 * vision a small monthly budget. Passes run every 5 minutes, as the default schedule does, so every minute of spend
 * is counted. Each person's inbox is an SQS queue subscribed to the topic with the filter policy a deployment gives
 * that person's subscription: the owners' (an `owner` attribute), the approvers' (`audience` = `approvers`) and the
 * admins' (`event` = `ADMIN`). The approver answers from their copy through the loopback endpoint.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientOptions } from '../adapters/aws/clients';
import { createAuditTable } from '../adapters/dynamodb/audit-table-setup';
import { AuditTrail } from '../adapters/dynamodb/audit-trail';
import { DynamoBudgetLedger } from '../adapters/dynamodb/budget-ledger';
import { type Config, parseConfig } from '../config';
import type { OwnerLink } from '../core/events';
import { monthOf } from '../engine/budget';
import { composeOwnerActions, composeOwnerLinks } from '../owner-actions/compose';
import { composePublisher, composeRegions, composeTable } from '../pass/compose';
import { type RunPassResult, runPass } from '../pass/run-pass';
import { type DemoInstance, GATING_FLEET, seedDemoFleet } from './demo-fleet';
import { drainQueue, type InboxMessage } from './demo-inbox';
import { createLinkKey, followLink, type LinkAnswers } from './demo-owner-answer';
import { startOwnerActionServer } from './owner-action-server';

/** The scene's region: the hub account's us-east-1 holds the first scene's fleet. */
const REGION = 'us-west-2';
const TABLE = 'gpu-reaper-demo-gating';
/** The admin's settings for the scene, as they would write them in the config file. */
const GATING = { threshold: 200, approvers: ['ml-leads@example.com'], grace: '15m' } as const;
const BUDGETS = { tag: 'Team', monthlyUsd: { vision: 7, '*': 20000 }, warnAt: 0.8 } as const;
/** The team whose budget runs out in the scene. */
const BUDGET_TEAM = 'vision';
/** Minutes after launch of the scene's passes: every 5 minutes, the default schedule. */
const GATING_PASS_MINUTES = [5, 10, 15, 20, 25, 30, 35, 40] as const;
/** Who approves what, and when (minutes after launch): between the first warning and the next pass. */
const APPROVAL = { instance: 'llm-pretrain', action: 'approve:24h', minutes: 8 } as const;

/** One admin notice as the admins' subscription receives it (plain text, no event JSON). */
interface AdminNotice {
  readonly subject: string;
  readonly text: string;
}

/** One pass of the scene: its result, what each inbox received, and the budget team's month total after it. */
interface GatingPass {
  readonly index: number;
  readonly total: number;
  readonly minutesAfterLaunch: number;
  readonly result: RunPassResult;
  readonly owners: readonly InboxMessage[];
  readonly approvers: readonly InboxMessage[];
  readonly admins: readonly AdminNotice[];
  readonly teamMonthUsd: number;
}

/** The approver's answer from their copy of the warning. */
interface ApprovalScene extends LinkAnswers {
  readonly approver: string;
  readonly instanceId: string;
  readonly minutesAfterLaunch: number;
  readonly link: OwnerLink;
  /** What the owners' inbox received from it (APPROVED, CLEARED). */
  readonly events: readonly InboxMessage[];
}

/** What the cost-gating scene tells; the CLI renders it. */
interface GatingPrinter {
  gatingIntro(scene: { fleet: readonly DemoInstance[]; config: Config; budgetTeam: string }): void;
  gatingPass(pass: GatingPass, names: Map<string, string>): void;
  gatingApproval(scene: ApprovalScene, names: Map<string, string>): void;
  gatingEnd(
    audit: Awaited<ReturnType<AuditTrail['between']>>,
    states: readonly { name: string; state: string }[],
    names: Map<string, string>,
  ): void;
}

/** A queue subscribed to the topic with `filterPolicy`: what one filtered email subscription receives. */
async function filteredQueue(sns: SNSClient, sqs: SQSClient, topicArn: string, name: string, filterPolicy: object) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: attributes.Attributes?.QueueArn,
      Attributes: { FilterPolicy: JSON.stringify(filterPolicy) },
    }),
  );
  return QueueUrl!;
}

/** The admins' notices: plain subject and text, as an email subscription shows them. */
async function drainAdminQueue(sqs: SQSClient, queueUrl: string): Promise<AdminNotice[]> {
  const notices: AdminNotice[] = [];
  for (let round = 0; round < 100; round++) {
    const batch = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }))).Messages;
    if (!batch || batch.length === 0) break;
    for (const message of batch) {
      const envelope = JSON.parse(message.Body ?? '{}') as { Subject?: string; Message?: string };
      notices.push({ subject: envelope.Subject ?? '', text: envelope.Message ?? '' });
    }
    const entries = batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
  return notices;
}

/** Messages in the fleet's order (a queue gives them in any order), each instance's in the order they came. */
function inFleetOrder(messages: readonly InboxMessage[], ids: Map<string, string>): InboxMessage[] {
  const order = [...ids.values()];
  return messages
    .map((message, index) => ({ message, index, rank: order.indexOf(message.event.instanceId) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ message }) => message);
}

/** Where every instance of the scene is now (EC2). */
async function sceneStates(ec2: EC2Client, ids: Map<string, string>) {
  const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [...ids.values()] }));
  const byId = new Map<string, string>();
  for (const instance of (answer.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
    byId.set(instance.InstanceId!, instance.State?.Name ?? '?');
  }
  return [...ids].map(([name, id]) => ({ name, state: byId.get(id) ?? 'gone' }));
}

/**
 * Runs the cost-gating scene on the demo's moto server (its endpoint already in the environment).
 *
 * @example await runGatingScene(printer)
 */
async function runGatingScene(printer: GatingPrinter): Promise<void> {
  const options = clientOptions(REGION);
  const ec2 = new EC2Client(options);
  const sns = new SNSClient(options);
  const sqs = new SQSClient(options);
  await createAuditTable(new DynamoDBClient(options), TABLE);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'gpu-reaper-demo-gating' }));
  const topicArn = TopicArn!;
  const ownersQueue = await filteredQueue(sns, sqs, topicArn, 'gating-owners', { owner: [{ exists: true }] });
  const approversQueue = await filteredQueue(sns, sqs, topicArn, 'gating-approvers', { audience: ['approvers'] });
  const adminsQueue = await filteredQueue(sns, sqs, topicArn, 'gating-admins', { event: ['ADMIN'] });

  const last = Math.max(...GATING_PASS_MINUTES);
  const launch = Math.floor(Date.now() / 60_000) * 60_000;
  const ids = await seedDemoFleet(ec2, new CloudWatchClient(options), launch, last + 5, GATING_FLEET);
  const base = Math.ceil(Date.now() / 60_000) * 60_000;
  const names = new Map([...ids].map(([name, id]) => [id, name]));
  const config = parseConfig({
    mode: 'enforce',
    regions: [REGION],
    auditTable: TABLE,
    topicArn,
    gating: GATING,
    budgets: BUDGETS,
  });
  printer.gatingIntro({ fleet: GATING_FLEET, config, budgetTeam: BUDGET_TEAM });

  const edges = { config, regions: [REGION], homeRegion: REGION, table: TABLE, topicArn };
  const keyId = await createLinkKey(new KMSClient(options));
  const clock = { now: new Date(base) };
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const endpoint = await startOwnerActionServer(
    composeOwnerActions({ ...edges, keyId, log: quiet, now: () => clock.now }),
  );
  try {
    const publisher = composeOwnerLinks(composePublisher(edges), {
      config,
      homeRegion: REGION,
      keyId,
      baseUrl: endpoint.url,
    });
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient(options));
    const ledger = new DynamoBudgetLedger(documents, TABLE, { region: REGION });
    const approverCopies: InboxMessage[] = [];
    let approved = false;
    for (const [index, minutes] of GATING_PASS_MINUTES.entries()) {
      if (!approved && minutes > APPROVAL.minutes) {
        approved = true;
        clock.now = new Date(base + APPROVAL.minutes * 60_000);
        const scene = await approve(approverCopies, ids.get(APPROVAL.instance)!, () => drainQueue(sqs, ownersQueue));
        if (scene) printer.gatingApproval(scene, names);
      }
      const now = new Date(base + minutes * 60_000);
      clock.now = now;
      const result = await runPass({
        config,
        now,
        ...composeRegions(edges),
        ...composeTable(edges, TABLE),
        publisher,
      });
      const approvers = inFleetOrder(await drainQueue(sqs, approversQueue), ids);
      approverCopies.push(...approvers);
      const totals = await ledger.loadTotals(monthOf(now));
      printer.gatingPass(
        {
          index,
          total: GATING_PASS_MINUTES.length,
          minutesAfterLaunch: minutes,
          result,
          owners: inFleetOrder(await drainQueue(sqs, ownersQueue), ids),
          approvers,
          admins: await drainAdminQueue(sqs, adminsQueue),
          teamMonthUsd: totals.get(BUDGET_TEAM) ?? 0,
        },
        names,
      );
    }
    const audit = new AuditTrail(documents, TABLE);
    const end = new Date(base + (last + 1) * 60_000);
    printer.gatingEnd(await audit.between(new Date(launch - 60_000), end), await sceneStates(ec2, ids), names);
  } finally {
    await endpoint.stop();
  }
}

/** The approver opens "Approve for 24h" in their copy of the instance's warning and presses its button. */
async function approve(
  copies: readonly InboxMessage[],
  instanceId: string,
  ownersInbox: () => Promise<InboxMessage[]>,
): Promise<ApprovalScene | null> {
  const copy = copies.find((m) => m.event.event === 'WARNED' && m.event.instanceId === instanceId);
  const link = copy?.event.links?.find((l) => l.action === APPROVAL.action);
  if (!copy || !link) return null;
  const answers = await followLink(link.url);
  const approver = GATING.approvers[0];
  return { ...answers, approver, instanceId, minutesAfterLaunch: APPROVAL.minutes, link, events: await ownersInbox() };
}

export type { AdminNotice, ApprovalScene, GatingPass, GatingPrinter };
export { GATING_PASS_MINUTES, runGatingScene };
