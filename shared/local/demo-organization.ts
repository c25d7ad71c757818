/**
 * The demo's organization scene: a hub and two member accounts in moto. moto keeps a separate backend per account,
 * and calls signed with credentials from AssumeRole into `arn:aws:iam::<id>:role/…` land in account `<id>`, so the
 * member fleets are seeded, and then reaped, through the spoke role exactly as the worker does it. The passes run
 * through the code `plan`/`run` use for many accounts: targets resolved from Organizations, one pass per target.
 * Between the passes a member account's owner keeps an instance from the WARNED email's link: the hub's endpoint
 * (on loopback) verifies the token and acts through that account's spoke role, as the Function URL does.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, DescribeTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientOptions } from '../adapters/aws/clients';
import { createAuditTable } from '../adapters/dynamodb/audit-table-setup';
import { AuditTrail } from '../adapters/dynamodb/audit-trail';
import { parseConfig } from '../config';
import type { OwnerLink, ReaperEvent } from '../core/events';
import { composeOwnerActions } from '../owner-actions/compose';
import {
  type CombinedPasses,
  combineTargets,
  resolveTargets,
  runTargetPasses,
  spokeCredentials,
} from '../pass/targets';
import type { AuditReport } from '../render/reports/audit-report';
import { periodReport } from '../report/period-report';
import { type DemoInstance, MEMBER_FLEETS, seedDemoFleet } from './demo-fleet';
import { drainQueue, type InboxMessage } from './demo-inbox';
import { createLinkKey, followLink, type LinkAnswers } from './demo-owner-answer';
import { type OwnerActionServer, startOwnerActionServer } from './owner-action-server';

const ROLE_NAME = 'GpuReaperSpoke';
const TABLE = 'gpu-reaper-demo-hub';
/** The OU the reaper covers; the organization's management account (the hub) sits in the root, outside it. */
const OU_NAME = 'gpu-teams';
/** Every member account is passed in both; the fleets run in the first, the second is empty. */
const REGIONS = ['us-east-1', 'us-west-2'] as const;
/** Minutes after launch of the scene's passes: the first warns, the second acts (30m grace). */
const ORG_PASS_MINUTES = [75, 110] as const;
/** The member account's owner who keeps an instance by link, and when (between the passes). */
const ORG_OWNER_SCENE = { account: 'platform', instance: 'pf-setup-fail', action: 'keep:4h', minutes: 90 } as const;
/** How long after the last pass the report is read. */
const REPORT_AFTER_MS = 60 * 60_000;
/** Targets passed at once, as `plan` and `run` do. */
const TARGET_CONCURRENCY = 4;

/** One member account of the scene. */
interface MemberAccount {
  readonly name: keyof typeof MEMBER_FLEETS;
  readonly accountId: string;
  readonly fleet: readonly DemoInstance[];
  /** What GetCallerIdentity answers with the spoke role's credentials. */
  readonly identity: string;
  /** EC2 in the member account, through the spoke role. */
  readonly ec2: EC2Client;
}

/** What the organization scene tells; the CLI renders it. */
interface OrganizationPrinter {
  organization(scene: { hubAccount: string; ou: string; ouId: string; members: readonly MemberAccount[] }): void;
  organizationPass(
    index: number,
    total: number,
    minutesAfterLaunch: number,
    combined: CombinedPasses,
    accounts: Map<string, string>,
    names: Map<string, string>,
  ): void;
  /** A member account's owner answers the WARNED email's link; the hub's endpoint acts through the spoke role. */
  organizationOwnerAnswer(scene: MemberOwnerScene, accounts: Map<string, string>, names: Map<string, string>): void;
  organizationAudit(
    items: Awaited<ReturnType<AuditTrail['between']>>,
    accounts: Map<string, string>,
    names: Map<string, string>,
  ): void;
  /** The report by account, and where every member instance ended up (EC2, through the spoke role). */
  organizationReport(
    report: AuditReport,
    accounts: Map<string, string>,
    states: readonly { account: string; name: string; state: string }[],
  ): void;
}

/** What a member account's owner did from the WARNED email, and what the hub's endpoint did in that account. */
interface MemberOwnerScene extends LinkAnswers {
  readonly owner: string;
  readonly accountId: string;
  readonly instanceId: string;
  readonly minutesAfterLaunch: number;
  readonly link: OwnerLink;
  /** The snooze tag as EC2 in the member account shows it afterwards (through the spoke role). */
  readonly snoozeTag: string | null;
  /** The events the answer recorded (the hub's topic delivered them). */
  readonly events: readonly ReaperEvent[];
}

/** Creates the hub's owner topic and an inbox queue subscribed to it: where the member accounts' emails go. */
async function createHubInbox(hub: ReturnType<typeof clientOptions>) {
  const sns = new SNSClient(hub);
  const sqs = new SQSClient(hub);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'gpu-reaper-demo-hub' }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'gpu-reaper-demo-hub-inbox' }));
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: attributes.Attributes?.QueueArn }));
  return { sqs, topicArn: TopicArn!, queueUrl: QueueUrl! };
}

/** Creates the organization, the OU and one account per member fleet in it; account id by name. */
async function createOrganization(org: OrganizationsClient) {
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const root = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const ou = await org.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: OU_NAME }));
  const ouId = ou.OrganizationalUnit!.Id!;
  const ids = new Map<keyof typeof MEMBER_FLEETS, string>();
  for (const name of Object.keys(MEMBER_FLEETS) as (keyof typeof MEMBER_FLEETS)[]) {
    const email = `${name}@example.com`;
    const created = await org.send(new CreateAccountCommand({ AccountName: name, Email: email }));
    const id = created.CreateAccountStatus!.AccountId!;
    await org.send(new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: ouId }));
    ids.set(name, id);
  }
  return { ouId, ids };
}

/**
 * Runs the organization scene on the demo's moto server (its endpoint already in the environment).
 *
 * @example await runOrganizationScene(printer, 'us-east-1')
 */
async function runOrganizationScene(printer: OrganizationPrinter, homeRegion: string): Promise<void> {
  const hub = clientOptions(homeRegion);
  const sts = new STSClient(hub);
  const hubAccount = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '?';
  const organizations = new OrganizationsClient(hub);
  const { ouId, ids } = await createOrganization(organizations);
  await createAuditTable(new DynamoDBClient(hub), TABLE);

  const launch = Math.floor(Date.now() / 60_000) * 60_000;
  const base = Math.ceil(Date.now() / 60_000) * 60_000;
  const names = new Map<string, string>();
  const members: MemberAccount[] = [];
  for (const [name, accountId] of ids) {
    // The spoke role's credentials, as the worker gets them: every call below lands in the member account.
    const credentials = spokeCredentials({ accountId, roleName: ROLE_NAME, homeRegion });
    const options = { ...clientOptions(REGIONS[0]), credentials };
    const identity = (await new STSClient(options).send(new GetCallerIdentityCommand({}))).Arn ?? '?';
    const fleet = MEMBER_FLEETS[name];
    const ec2 = new EC2Client(options);
    const seeded = await seedDemoFleet(
      ec2,
      new CloudWatchClient(options),
      launch,
      Math.max(...ORG_PASS_MINUTES) + 5,
      fleet,
    );
    for (const [instance, id] of seeded) names.set(id, instance);
    members.push({ name, accountId, fleet, identity, ec2 });
  }
  const accounts = new Map(members.map((member) => [member.accountId, member.name as string]));
  printer.organization({ hubAccount, ou: OU_NAME, ouId, members });

  const research = ids.get('research')!;
  const inbox = await createHubInbox(hub);
  const config = parseConfig({
    mode: 'dry-run',
    regions: [...REGIONS],
    auditTable: TABLE,
    topicArn: inbox.topicArn,
    accounts: { roleName: ROLE_NAME, organization: { ous: [ouId] }, overrides: { [research]: { mode: 'enforce' } } },
  });
  // The hub's endpoint on loopback, as its Function URL would serve it; its clock follows the scene's.
  const keyId = await createLinkKey(new KMSClient(hub));
  const clock = { now: new Date(base) };
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const owners = composeOwnerActions({
    config,
    homeRegion,
    table: TABLE,
    topicArn: inbox.topicArn,
    keyId,
    log: quiet,
    accountId: hubAccount,
    now: () => clock.now,
  });
  let endpoint: OwnerActionServer | undefined;
  try {
    endpoint = await startOwnerActionServer(owners);
    const links = { keyId, baseUrl: endpoint.url };
    const delivered: InboxMessage[] = [];
    const receive = async () => {
      const fresh = await drainQueue(inbox.sqs, inbox.queueUrl);
      delivered.push(...fresh);
      return fresh;
    };
    const targets = await resolveTargets(config, { organizations, homeAccountId: hubAccount, homeRegion });
    let answered = false;
    for (const [index, minutes] of ORG_PASS_MINUTES.entries()) {
      if (minutes > ORG_OWNER_SCENE.minutes && !answered) {
        answered = true;
        clock.now = new Date(base + ORG_OWNER_SCENE.minutes * 60_000);
        await receive();
        const member = members.find((m) => m.name === ORG_OWNER_SCENE.account)!;
        const scene = await memberAnswer(delivered, member, names, receive);
        if (scene) printer.organizationOwnerAnswer(scene, accounts, names);
      }
      const now = new Date(base + minutes * 60_000);
      clock.now = now;
      const edges = { config, now, homeRegion, table: TABLE, topicArn: inbox.topicArn, links };
      const outcomes = await runTargetPasses(targets, edges, 'run', TARGET_CONCURRENCY);
      const combined = combineTargets(outcomes, now, config.mode);
      printer.organizationPass(index, ORG_PASS_MINUTES.length, minutes, combined, accounts, names);
    }
  } finally {
    await endpoint?.stop();
  }

  const audit = new AuditTrail(DynamoDBDocumentClient.from(new DynamoDBClient(hub)), TABLE);
  const from = new Date(launch - 60_000);
  const lastPass = base + Math.max(...ORG_PASS_MINUTES) * 60_000;
  printer.organizationAudit(await audit.between(from, new Date(lastPass + 60_000)), accounts, names);
  // Read an hour after the last pass, as an admin would the next morning: a stop has avoided an hour by then.
  const report = await periodReport(audit, from, new Date(lastPass + REPORT_AFTER_MS));
  printer.organizationReport(report, accounts, await memberStates(members, names));
}

/**
 * The member account's owner opens the keep link of the WARNED email about the scene's instance and presses its
 * button; then what the member account's EC2 shows and what the hub recorded.
 */
async function memberAnswer(
  delivered: readonly InboxMessage[],
  member: MemberAccount,
  names: Map<string, string>,
  receive: () => Promise<InboxMessage[]>,
): Promise<MemberOwnerScene | null> {
  const instanceId = [...names].find(([, name]) => name === ORG_OWNER_SCENE.instance)?.[0];
  const warned = delivered.find((m) => m.event.event === 'WARNED' && m.event.instanceId === instanceId);
  const link = warned?.event.links?.find((l) => l.action === ORG_OWNER_SCENE.action);
  if (!instanceId || !warned || !link) return null;
  const answers = await followLink(link.url);
  const tags = await member.ec2.send(
    new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [instanceId] }] }),
  );
  const snooze = tags.Tags?.find((tag) => tag.Key === 'gpu-reaper:snooze-until')?.Value ?? null;
  return {
    ...answers,
    owner: warned.event.owner ?? 'the owner',
    accountId: member.accountId,
    instanceId,
    minutesAfterLaunch: ORG_OWNER_SCENE.minutes,
    link,
    snoozeTag: snooze,
    events: (await receive()).map((m) => m.event).filter((e) => e.instanceId === instanceId),
  };
}

/** Where every member instance is now, asked in its own account. */
async function memberStates(members: readonly MemberAccount[], names: Map<string, string>) {
  const states: { account: string; name: string; state: string }[] = [];
  for (const member of members) {
    const answer = await member.ec2.send(new DescribeInstancesCommand({}));
    for (const instance of (answer.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
      const name = names.get(instance.InstanceId ?? '') ?? instance.InstanceId ?? '?';
      states.push({ account: member.name, name, state: instance.State?.Name ?? '?' });
    }
  }
  return states;
}

export type { MemberAccount, MemberOwnerScene, OrganizationPrinter };
export { ORG_OWNER_SCENE, ORG_PASS_MINUTES, runOrganizationScene };
