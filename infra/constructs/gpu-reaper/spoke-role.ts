/**
 * The role the hub's worker assumes in a member account (config `accounts.roleName`): exactly the EC2 and CloudWatch
 * permissions a pass needs there, from the same `ec2PolicyStatements` as the single-account reaper role (GPU
 * instance types, scope tags, own tag key, opt-out deny), trusting only the hub's worker role, only from within the
 * organization, and only with the external id when one is configured.
 *
 * With owner actions (the hub has its endpoint), the role also trusts the hub's endpoint role, on the same terms and
 * only under the session name `gpu-reaper-owner-action`, and that session may do the owner actions and nothing more:
 * write the snooze tag (and the approval tag with `gating` or `budgets`), remove the warned tag, stop a GPU instance
 * in scope, read what the re-checks read, never terminate, never write another tag key, never touch an opted-out
 * instance but for the approval key (owner-action-permissions.ts, the statements the endpoint has in its own
 * account). The worker's session keeps exactly its own grants: the owner's tag writes name the endpoint's session.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { type Config, type ConfigInput, RoleSessionName } from '../../../shared/config';
import { EC2_INSTANCES_FINDING } from './nag-findings';
import { approvableWhenOptedOut, ownerActionEc2Statements, ownerTagKeys } from './owner-action-permissions';
import { configTerminates, type Ec2PermissionOptions, ec2PolicyStatements, instanceTypePatterns } from './permissions';

/** Props of {@link SpokeRole}. */
interface SpokeRoleProps {
  /** The role's name, the same in every member account (`accounts.roleName`). */
  readonly roleName: string;
  /** The hub worker role's ARN, the only principal trusted (a literal or a parameter's token). */
  readonly hubWorkerRoleArn: string;
  /** The organization (`o-…`) the worker must belong to (`aws:PrincipalOrgID`). */
  readonly organizationId: string;
  /** Required `sts:ExternalId` on every assume (`accounts.externalId`). @default none */
  readonly externalId?: string | null;
  /** What the EC2 statements allow (see {@link spokePermissions}). */
  readonly permissions: Ec2PermissionOptions;
  /**
   * The hub's owner-action endpoint: its role is trusted too, for the owner actions only.
   * @default none: the role trusts the worker alone
   */
  readonly ownerActions?: {
    /** The endpoint role's ARN (a literal or a parameter's token). */
    readonly hubEndpointRoleArn: string;
    /** `gating` or `budgets` set in the base or an override: approvers' links write the approval tag. */
    readonly approvals: boolean;
  };
}

/** One partial config (the base or an override) as far as the role's conditions depend on it. */
type PermissionSlice = Pick<ConfigInput, 'mode' | 'regions' | 'tagPrefix' | 'scope' | 'actions' | 'gating' | 'budgets'>;

/** Whether approvals count in some target: `gating` or `budgets` set in the base config or in an override. */
function spokeApprovals(config: Config): boolean {
  const overrides = Object.values(config.accounts?.overrides ?? {}) as PermissionSlice[];
  return [config, ...overrides].some((s) => (s.gating ?? null) !== null || (s.budgets ?? null) !== null);
}

/** The endpoint's session (`aws:userid` is `<role id>:<session name>` in an assumed-role session). */
const ENDPOINT_SESSION = { StringLike: { 'aws:userid': `*:${RoleSessionName.ownerAction}` } };

/** The actions the endpoint's session may call at all: the re-checks' reads and the owner actions. */
const OWNER_SESSION_ACTIONS = [
  'ec2:DescribeInstances',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeInstanceAttribute',
  'ec2:DescribeSpotInstanceRequests',
  'ec2:DescribeTags',
  'ec2:CreateTags',
  'ec2:DeleteTags',
  'ec2:StopInstances',
] as const;

/**
 * The EC2 grants one role must carry for every target it serves: the base config and each override of
 * `accounts.overrides`, since the same spoke template is deployed to every member account. Stop when any of them
 * enforces, and terminate too only when one of them also has a `terminate` action or owner choice (a target's config
 * is made of these layers, so it asks for no terminate none of them has); every region any of them scans; every
 * accelerated family any of them covers. Scope tags stay a condition only when every one of them scopes by the same
 * keys (values are merged); otherwise the pass narrows by scope and the role by GPU type and opt-out only.
 *
 * @throws Error when an override changes `tagPrefix` (the opt-out deny follows one prefix)
 * @example spokePermissions(parseConfig({ mode: 'dry-run', accounts: { overrides: { '111111111111': { mode: 'enforce' } } } }))
 *   .mayStop // true
 */
function spokePermissions(config: Config, gpuInstanceTypes?: readonly string[]): Ec2PermissionOptions {
  const overrides = Object.entries(config.accounts?.overrides ?? {}) as [string, PermissionSlice][];
  const prefixed = overrides.filter(([, o]) => o.tagPrefix !== undefined && o.tagPrefix !== config.tagPrefix);
  if (prefixed.length > 0) {
    const keys = prefixed.map(([key]) => `accounts.overrides.${key}.tagPrefix`).join(', ');
    throw new Error(`${keys}: the spoke role's opt-out deny follows one tag prefix; set tagPrefix in the base config`);
  }
  const slices: PermissionSlice[] = [config, ...overrides.map(([, o]) => o)];
  // An override without `regions` or `scope` keeps the base's.
  const regionsOf = (s: PermissionSlice) => s.regions ?? config.regions;
  const scopeOf = (s: PermissionSlice) => s.scope?.tags ?? config.scope.tags;
  // `[]` is the stack's own region (the hub's, where the spoke stack set deploys).
  const regions = [...new Set(slices.flatMap((s) => (regionsOf(s).length > 0 ? regionsOf(s) : [Aws.REGION])))];
  const accelerators = new Set(slices.flatMap((s) => s.scope?.accelerators ?? config.scope.accelerators));
  return {
    regions: regions.length === 1 && regions[0] === Aws.REGION ? [] : regions,
    tagPrefix: config.tagPrefix,
    scopeTags: mergedScope(slices.map(scopeOf)),
    gpuInstanceTypes: gpuInstanceTypes ?? instanceTypePatterns([...accelerators]),
    mayStop: slices.some((s) => s.mode === 'enforce'),
    mayTerminate: slices.some((s) => s.mode === 'enforce') && slices.some((s) => configTerminates(s.actions)),
  };
}

/** The scope tags every slice shares by key (values merged), or `{}` (no condition) when their keys differ. */
function mergedScope(scopes: readonly Readonly<Record<string, readonly string[]>>[]): Record<string, string[]> {
  const keysOf = (scope: Readonly<Record<string, readonly string[]>>) => Object.keys(scope).sort().join('\n');
  const first = scopes[0] ?? {};
  if (scopes.some((scope) => keysOf(scope) !== keysOf(first))) return {};
  return Object.fromEntries(
    Object.keys(first).map((key) => [key, [...new Set(scopes.flatMap((scope) => scope[key] ?? []))]]),
  );
}

/**
 * The spoke role.
 *
 * @example
 * new SpokeRole(stack, 'SpokeRole', { roleName: 'GpuReaperSpoke', hubWorkerRoleArn, organizationId: 'o-a1b2c3d4e5',
 *   permissions: spokePermissions(config) });
 */
class SpokeRole extends Construct {
  /** The role the hub's worker assumes. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SpokeRoleProps) {
    super(scope, id);
    const conditions: Record<string, Record<string, string>> = {
      // The worker role's ARN names one role; the organization condition also refuses it once its account leaves.
      StringEquals: {
        'aws:PrincipalOrgID': props.organizationId,
        ...(props.externalId ? { 'sts:ExternalId': props.externalId } : {}),
      },
    };
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ArnPrincipal(props.hubWorkerRoleArn).withConditions(conditions),
      description: 'gpu-reaper: assumed by the hub worker to run passes in this account',
      maxSessionDuration: Duration.hours(1),
    });
    const worker = ec2PolicyStatements(this.role, props.permissions);
    const owners = props.ownerActions;
    // With approvals, the opt-out deny lets the approval key through (no worker grant writes it).
    const statements = owners?.approvals
      ? worker.flatMap((statement) => approvableWhenOptedOut(statement, props.permissions.tagPrefix))
      : worker;
    for (const statement of statements) this.role.addToPrincipalPolicy(statement);
    if (owners) this.trustEndpoint(owners, conditions, props.permissions);
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'ec2:Describe*, cloudwatch:GetMetricData/ListMetrics and pricing:GetProducts support no resource narrower ' +
            'than "*"; stop/terminate/tag are on instance/* because instance IDs are unknown at deploy, and are ' +
            'narrowed by conditions (GPU instance type, scope tags, own tag key) plus an explicit opt-out deny.',
          appliesTo: ['Resource::*', EC2_INSTANCES_FINDING],
        },
      ],
      true,
    );
  }

  /**
   * The endpoint's trust (its role, the session name, the organization, the external id) and its session's
   * grants: the owner tag writes named for that session alone, and a deny of everything else to it.
   */
  private trustEndpoint(
    owners: NonNullable<SpokeRoleProps['ownerActions']>,
    conditions: Record<string, Record<string, string>>,
    permissions: Ec2PermissionOptions,
  ): void {
    this.role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        sid: 'HubOwnerActionEndpoint',
        actions: ['sts:AssumeRole'],
        principals: [new iam.ArnPrincipal(owners.hubEndpointRoleArn)],
        conditions: {
          StringEquals: { ...conditions.StringEquals, 'sts:RoleSessionName': RoleSessionName.ownerAction },
        },
      }),
    );
    const owned = ownerActionEc2Statements(this.role, { ...permissions, approvals: owners.approvals });
    // The worker's statements already read, remove the warned tag, stop and deny: the tag writes are the owner's own.
    const writes = owned.filter((statement) => statement.sid?.startsWith('Write'));
    for (const statement of writes) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: `OwnerAction${statement.sid}`,
          actions: statement.actions,
          resources: statement.resources,
          conditions: {
            ...statement.conditions,
            StringLike: { ...statement.conditions.StringLike, ...ENDPOINT_SESSION.StringLike },
          },
        }),
      );
    }
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OwnerActionSessionDoesNothingElse',
        effect: iam.Effect.DENY,
        notActions: [...OWNER_SESSION_ACTIONS],
        resources: ['*'],
        conditions: ENDPOINT_SESSION,
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OwnerActionSessionWritesOwnerTagsOnly',
        effect: iam.Effect.DENY,
        actions: ['ec2:CreateTags'],
        resources: ['*'],
        conditions: {
          ...ENDPOINT_SESSION,
          'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ownerTagKeys(permissions.tagPrefix, owners.approvals) },
        },
      }),
    );
  }
}

export type { SpokeRoleProps };
export { SpokeRole, spokeApprovals, spokePermissions };
