/**
 * The role the hub's worker assumes in a member account (config `accounts.roleName`): exactly the EC2 and CloudWatch
 * permissions a pass needs there, from the same `ec2PolicyStatements` as the single-account reaper role (GPU
 * instance types, scope tags, own tag key, opt-out deny), trusting only the hub's worker role, only from within the
 * organization, and only with the external id when one is configured.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { Config, ConfigInput } from '../../../shared/config';
import { EC2_INSTANCES_FINDING } from './nag-findings';
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
}

/** One partial config (the base or an override) as far as the role's conditions depend on it. */
type PermissionSlice = Pick<ConfigInput, 'mode' | 'regions' | 'tagPrefix' | 'scope' | 'actions'>;

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
    for (const statement of ec2PolicyStatements(this.role, props.permissions))
      this.role.addToPrincipalPolicy(statement);
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
}

export type { SpokeRoleProps };
export { SpokeRole, spokePermissions };
