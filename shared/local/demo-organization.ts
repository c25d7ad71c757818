/**
 * The demo's organization scene: a hub and two member accounts in moto. moto keeps a separate backend per account,
 * and calls signed with credentials from AssumeRole into `arn:aws:iam::<id>:role/…` land in account `<id>`, so the
 * member fleets are seeded, and then reaped, through the spoke role exactly as the worker does it. The passes run
 * through the code `plan`/`run` use for many accounts: targets resolved from Organizations, one pass per target.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientOptions } from '../adapters/aws/clients';
import { createAuditTable } from '../adapters/dynamodb/audit-table-setup';
import { AuditTrail } from '../adapters/dynamodb/audit-trail';
import { parseConfig } from '../config';
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

const ROLE_NAME = 'GpuReaperSpoke';
const TABLE = 'gpu-reaper-demo-hub';
/** The OU the reaper covers; the organization's management account (the hub) sits in the root, outside it. */
const OU_NAME = 'gpu-teams';
/** Every member account is passed in both; the fleets run in the first, the second is empty. */
const REGIONS = ['us-east-1', 'us-west-2'] as const;
/** Minutes after launch of the scene's passes: the first warns, the second acts (30m grace). */
const ORG_PASS_MINUTES = [75, 110] as const;
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
  const config = parseConfig({
    mode: 'dry-run',
    regions: [...REGIONS],
    auditTable: TABLE,
    accounts: { roleName: ROLE_NAME, organization: { ous: [ouId] }, overrides: { [research]: { mode: 'enforce' } } },
  });
  const targets = await resolveTargets(config, { organizations, homeAccountId: hubAccount, homeRegion });
  for (const [index, minutes] of ORG_PASS_MINUTES.entries()) {
    const now = new Date(base + minutes * 60_000);
    const edges = { config, now, homeRegion, table: TABLE, topicArn: null };
    const outcomes = await runTargetPasses(targets, edges, 'run', TARGET_CONCURRENCY);
    const combined = combineTargets(outcomes, now, config.mode);
    printer.organizationPass(index, ORG_PASS_MINUTES.length, minutes, combined, accounts, names);
  }

  const audit = new AuditTrail(DynamoDBDocumentClient.from(new DynamoDBClient(hub)), TABLE);
  const from = new Date(launch - 60_000);
  const lastPass = base + Math.max(...ORG_PASS_MINUTES) * 60_000;
  printer.organizationAudit(await audit.between(from, new Date(lastPass + 60_000)), accounts, names);
  // Read an hour after the last pass, as an admin would the next morning: a stop has avoided an hour by then.
  const report = await periodReport(audit, from, new Date(lastPass + REPORT_AFTER_MS));
  printer.organizationReport(report, accounts, await memberStates(members, names));
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

export type { MemberAccount, OrganizationPrinter };
export { ORG_PASS_MINUTES, runOrganizationScene };
