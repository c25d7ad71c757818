/**
 * Seeds moto with an organization of many small accounts for the accounts benchmark: two OUs under the root, the
 * accounts split between them, and in each account × region a few GPU instances with telemetry, launched through
 * the spoke role (moto keeps a backend per account, and an assumed role's calls land in its account). The fleet is
 * drawn from a seeded PRNG, so every run seeds the same shape.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { clientOptions } from '../../shared/adapters/aws/clients';
import { gpuSeriesData, launchInstances, minutes, putMetricData } from '../../shared/local/seed-fleet';
import { mapWithConcurrency } from '../../shared/pass/concurrency';
import { spokeCredentials } from '../../shared/pass/targets';
import { seededRandom } from './seeded-random';

const MINUTE_MS = 60_000;
const ROLE_NAME = 'GpuReaperSpoke';
const GPU_TYPES = ['g5.xlarge', 'g5.2xlarge', 'g6.xlarge', 'g4dn.xlarge', 'p3.2xlarge'] as const;

/** The seeded organization. */
interface OrgFleet {
  readonly ous: readonly string[];
  readonly accountIds: readonly string[];
  readonly regions: readonly string[];
  readonly roleName: string;
  /** GPU instances seeded, and how many of them have been idle for 50 minutes at `now`. */
  readonly instances: number;
  readonly idle: number;
  /** The targets (`<account>/<region>`) holding GPU instances. */
  readonly gpuTargets: readonly string[];
  /** The pass clock: two hours after launch, so every instance is older than the 1h look-back window. */
  readonly now: Date;
  readonly seedMs: number;
}

/** What to seed. */
interface OrgFleetShape {
  readonly accounts: number;
  readonly regions: readonly string[];
  readonly homeRegion: string;
  /** GPU instances per account × region: from 1 to this many. @default 4 */
  readonly maxInstances?: number;
  /** @default 20260112 */
  readonly seed?: number;
  /**
   * Share of the targets that hold GPU instances (the others hold none), drawn exactly from the seeded PRNG.
   * @default 1: every target
   */
  readonly gpuShare?: number;
}

/** Creates the organization, two OUs and `shape.accounts` accounts, alternating between the OUs. */
async function createAccounts(shape: OrgFleetShape) {
  const org = new OrganizationsClient(clientOptions(shape.homeRegion));
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const root = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const ous: string[] = [];
  for (const name of ['teams-a', 'teams-b']) {
    const ou = await org.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: name }));
    ous.push(ou.OrganizationalUnit!.Id!);
  }
  const accountIds: string[] = [];
  for (let n = 0; n < shape.accounts; n++) {
    const name = `team-${String(n).padStart(4, '0')}`;
    const created = await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
    const id = created.CreateAccountStatus!.AccountId!;
    await org.send(
      new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: ous[n % ous.length]! }),
    );
    accountIds.push(id);
  }
  return { ous, accountIds };
}

/** Keeps GPU instances in exactly `share` of the targets (a seeded shuffle), none in the others. */
function holdGpusIn(plan: { count: number }[], share: number, random: () => number): void {
  if (share >= 1) return;
  const order = plan.map((_, n) => n);
  for (let n = order.length - 1; n > 0; n--) {
    const k = Math.floor(random() * (n + 1));
    [order[n], order[k]] = [order[k]!, order[n]!];
  }
  const holding = new Set(order.slice(0, Math.round(share * plan.length)));
  plan.forEach((target, n) => {
    if (!holding.has(n)) target.count = 0;
  });
}

/**
 * Seeds the organization and its fleets; about a third of the targets have one instance idle for 50 minutes, the
 * other instances have one busy datapoint in the last 25 minutes.
 */
async function seedOrgFleet(shape: OrgFleetShape): Promise<OrgFleet> {
  const started = Date.now();
  const random = seededRandom(shape.seed ?? 20_260_112);
  const { ous, accountIds } = await createAccounts(shape);
  const now = new Date(Math.ceil(started / MINUTE_MS) * MINUTE_MS + 2 * 60 * MINUTE_MS);
  // Drawn up front, in order, so the fleet does not depend on which seeding finishes first.
  const plan = accountIds.flatMap((accountId) =>
    shape.regions.map((region) => ({
      accountId,
      region,
      count: 1 + Math.floor(random() * (shape.maxInstances ?? 4)),
      instanceType: GPU_TYPES[Math.floor(random() * GPU_TYPES.length)]!,
      idle: random() < 1 / 3,
    })),
  );
  holdGpusIn(plan, shape.gpuShare ?? 1, random);
  await mapWithConcurrency(plan, 8, async (target) => {
    if (target.count === 0) return;
    const credentials = spokeCredentials({
      accountId: target.accountId,
      roleName: ROLE_NAME,
      homeRegion: shape.homeRegion,
    });
    const options = { ...clientOptions(target.region), credentials };
    const ids = await launchInstances(new EC2Client(options), {
      instanceType: target.instanceType,
      count: target.count,
      tags: { Owner: `owner-${target.accountId.slice(-4)}@example.com` },
    });
    const data = ids.flatMap((id, n) =>
      gpuSeriesData(
        id,
        target.idle && n === 0
          ? minutes(now.getTime() - 50 * MINUTE_MS, 50, 1)
          : [{ at: now.getTime() - (1 + (n % 25)) * MINUTE_MS, value: 40 + (n % 50) }],
        { perGpu: 0, rollup: true },
      ),
    );
    await putMetricData(new CloudWatchClient(options), data);
  });
  return {
    ous,
    accountIds,
    regions: shape.regions,
    roleName: ROLE_NAME,
    instances: plan.reduce((sum, target) => sum + target.count, 0),
    idle: plan.filter((target) => target.idle && target.count > 0).length,
    gpuTargets: plan.filter((target) => target.count > 0).map((target) => `${target.accountId}/${target.region}`),
    now,
    seedMs: Date.now() - started,
  };
}

export type { OrgFleet, OrgFleetShape };
export { seedOrgFleet };
