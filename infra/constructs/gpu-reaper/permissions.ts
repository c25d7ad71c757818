/**
 * What the reaper's role may do to EC2, written so that it holds even if the code is wrong: it can stop, terminate
 * and tag only GPU instances (by `ec2:InstanceType`), only in the configured regions, only those in `scope.tags`,
 * only its own `warned` tag, and never an instance that carries the opt-out tag (any value but `false`). In dry-run
 * mode it cannot stop or terminate anything, and it may terminate only when the config can ask for it: some action of
 * `actions` (a rule's, `whenStopImpossible`, `asgMembers`) or some owner choice (`actions.ownerChoices`) is
 * `terminate`. Otherwise an owner's `action=terminate` tag is a tag problem, and IAM refuses a terminate even if the
 * code erred.
 */
import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { EC2_INSTANCES_FINDING, TABLE_INDEXES_FINDING } from './nag-findings';

/**
 * The GPU families the reaper may act on: every family DescribeInstanceTypes gives a `GpuInfo`. Every EC2 family
 * starting with p or g has one (p3dn, p4d, p5, p6-b200, g4dn, g4ad, g5, g5g, g6, g6e, g6f, gr6, g7e, …), and so
 * has `dl1` (Habana Gaudi). `dl2q` has none (its Qualcomm AI100 are inference accelerators), so it stays out.
 */
const DEFAULT_GPU_INSTANCE_TYPES = ['p*.*', 'g*.*', 'dl1.*'] as const;

/** Trainium and Inferentia (`trn1`, `trn1n`, `trn2`, `inf1`, `inf2`: `NeuronInfo`), added with `neuron`. */
const NEURON_INSTANCE_TYPES = ['trn*.*', 'inf*.*'] as const;

/**
 * The `ec2:InstanceType` patterns the role may stop, terminate and tag for `scope.accelerators`: the GPU families,
 * plus the Neuron ones when `neuron` is listed. (`gpu` absent still keeps nothing the pass would not scan.)
 *
 * @example instanceTypePatterns(['gpu', 'neuron']) // ['p*.*', 'g*.*', 'dl1.*', 'trn*.*', 'inf*.*']
 */
function instanceTypePatterns(accelerators: readonly ('gpu' | 'neuron')[] = ['gpu']): string[] {
  return [
    ...(accelerators.includes('gpu') ? DEFAULT_GPU_INSTANCE_TYPES : []),
    ...(accelerators.includes('neuron') ? NEURON_INSTANCE_TYPES : []),
  ];
}

/** What the EC2 grants depend on. */
interface Ec2PermissionOptions {
  /** Regions the reaper scans; empty means the stack's own region. */
  readonly regions: readonly string[];
  /** The reaper's tag prefix (`gpu-reaper:`). */
  readonly tagPrefix: string;
  /** `scope.tags`: tag key → allowed values; empty means every GPU instance. */
  readonly scopeTags: Readonly<Record<string, readonly string[]>>;
  /** `ec2:InstanceType` patterns of the accelerated families (`p*.*`, `g*.*`, `dl1.*`; `trn*.*`, `inf*.*`). */
  readonly gpuInstanceTypes: readonly string[];
  /** Grant stop at all: only in `enforce` mode; a dry run never needs it. */
  readonly mayStop: boolean;
  /** Grant terminate too (with `mayStop` only): when the config can ask for a terminate ({@link configTerminates}). */
  readonly mayTerminate: boolean;
  /**
   * The approval tag key when cost-gating can apply (`gating` or `budgets` set): opt-out does not exempt a run from
   * the approval, so the opt-out deny no longer covers stopping (and marking) an opted-out instance that carries no
   * approval tag. Terminate stays denied on every opted-out instance. @default undefined (the full opt-out deny)
   */
  readonly approvalTag?: string;
}

/**
 * Whether some action of `actions` (a rule's, `whenStopImpossible`, `asgMembers`) or some owner choice
 * (`ownerChoices`) is `terminate`: the only ways a pass can decide to terminate. Takes a full config's `actions` or an
 * override's partial one.
 *
 * @example configTerminates({ idle: 'stop', ownerChoices: ['stop', 'notify'] }) // false
 * @example configTerminates(parseConfig({}).actions) // true: the default owner choices include terminate
 */
function configTerminates(actions: Readonly<Record<string, unknown>> | undefined): boolean {
  return Object.values(actions ?? {})
    .flat()
    .includes('terminate');
}

/** The reaper's own tag names, derived from the prefix as the engine derives them. */
function reaperTagKeys(tagPrefix: string): { readonly optOut: string; readonly warned: string } {
  return { optOut: `${tagPrefix}opt-out`, warned: `${tagPrefix}warned` };
}

/** Read calls the pass makes. AWS offers no resource-level permission for these, so they need `*`. */
const READ_ACTIONS = [
  'ec2:DescribeInstances',
  'ec2:DescribeInstanceTypes',
  'ec2:DescribeSpotInstanceRequests',
  'ec2:DescribeTags',
  'cloudwatch:GetMetricData',
  'cloudwatch:ListMetrics',
  'pricing:GetProducts',
] as const;

/** `arn:…:ec2:<region>:<account>:instance/*` for each region (the stack's own when `regions` is empty). */
function instanceArns(scope: Construct, regions: readonly string[]): string[] {
  const stack = Stack.of(scope);
  const arn = (region: string) =>
    stack.formatArn({
      service: 'ec2',
      region,
      resource: 'instance',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  return regions.length > 0 ? regions.map(arn) : [arn(Aws.REGION)];
}

/** `aws:ResourceTag/<key>` conditions of `scope.tags`. */
function scopeCondition(scopeTags: Ec2PermissionOptions['scopeTags']): Record<string, string[]> {
  return Object.fromEntries(Object.entries(scopeTags).map(([key, values]) => [`aws:ResourceTag/${key}`, [...values]]));
}

/**
 * The EC2 statements of the reaper's role: scoped reads, the guarded stop/terminate/tag allows, and the opt-out deny.
 */
function ec2PolicyStatements(scope: Construct, options: Ec2PermissionOptions): iam.PolicyStatement[] {
  const instances = instanceArns(scope, options.regions);
  const tags = reaperTagKeys(options.tagPrefix);
  const inScope = Object.keys(options.scopeTags).length > 0 ? { StringEquals: scopeCondition(options.scopeTags) } : {};
  const isGpu = { StringLike: { 'ec2:InstanceType': [...options.gpuInstanceTypes] } };
  // ForAllValues alone is true for an empty key list (DeleteTags with no keys deletes every tag): require keys too.
  const onlyWarnedTag = {
    'ForAllValues:StringEquals': { 'aws:TagKeys': [tags.warned] },
    Null: { 'aws:TagKeys': 'false' },
  };

  return [
    new iam.PolicyStatement({ sid: 'ReadFleetAndTelemetry', actions: [...READ_ACTIONS], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'ReadProtection',
      actions: ['ec2:DescribeInstanceAttribute'],
      resources: instances,
    }),
    // Dry run: no stop/terminate grant at all, so not even a bug can act; no terminate unless the config asks for it.
    ...(options.mayStop
      ? [
          new iam.PolicyStatement({
            sid: options.mayTerminate ? 'StopOrTerminateGpuInstancesInScope' : 'StopGpuInstancesInScope',
            actions: ['ec2:StopInstances', ...(options.mayTerminate ? ['ec2:TerminateInstances'] : [])],
            resources: instances,
            conditions: { ...isGpu, ...inScope },
          }),
        ]
      : []),
    new iam.PolicyStatement({
      sid: 'MarkWarnedGpuInstancesInScope',
      actions: ['ec2:CreateTags'],
      resources: instances,
      conditions: { ...isGpu, ...inScope, ...onlyWarnedTag },
    }),
    // DeleteTags does not support ec2:InstanceType (Service Authorization Reference); removing the reaper's own
    // marker is harmless on any instance, and it must work after an owner opts out to clear a pending warning.
    new iam.PolicyStatement({
      sid: 'ClearWarnedMarkInScope',
      actions: ['ec2:DeleteTags'],
      resources: instances,
      conditions: { ...inScope, ...onlyWarnedTag },
    }),
    ...optOutDenies(scope, tags.optOut, options.approvalTag),
  ];
}

/**
 * The opt-out deny: never stop, terminate or tag an instance that carries the opt-out tag (any value but `false`).
 * With cost-gating, an opted-out run still needs its approval: stopping and marking it stay denied only while it
 * carries an approval tag; terminating stays denied always.
 */
function optOutDenies(scope: Construct, optOutTag: string, approvalTag: string | undefined): iam.PolicyStatement[] {
  // Negated operators also match a missing tag, hence the Null check: the tag must exist and not be "false".
  const optedOut = {
    StringNotEqualsIgnoreCase: { [`aws:ResourceTag/${optOutTag}`]: 'false' },
    Null: { [`aws:ResourceTag/${optOutTag}`]: 'false' },
  };
  const resources = instanceArns(scope, ['*']);
  if (approvalTag === undefined) {
    return [
      new iam.PolicyStatement({
        sid: 'NeverTouchOptedOutInstances',
        effect: iam.Effect.DENY,
        actions: ['ec2:StopInstances', 'ec2:TerminateInstances', 'ec2:CreateTags'],
        resources,
        conditions: optedOut,
      }),
    ];
  }
  return [
    new iam.PolicyStatement({
      sid: 'NeverTerminateOptedOutInstances',
      effect: iam.Effect.DENY,
      actions: ['ec2:TerminateInstances'],
      resources,
      conditions: optedOut,
    }),
    new iam.PolicyStatement({
      sid: 'NeverStopApprovedOptedOutInstances',
      effect: iam.Effect.DENY,
      actions: ['ec2:StopInstances', 'ec2:CreateTags'],
      resources,
      conditions: { ...optedOut, Null: { ...optedOut.Null, [`aws:ResourceTag/${approvalTag}`]: 'false' } },
    }),
  ];
}

/** Everything the reaper's role is granted. */
interface ReaperGrantOptions extends Ec2PermissionOptions {
  /** The audit table. */
  readonly table: ITable;
  /** Topics the reaper publishes to (owner, admin). */
  readonly topics: readonly ITopic[];
}

/** Item-level reads and writes, queries (table and by-time index), conditional writes and transactions. No Scan, no
 * stream reads: the audit design never needs them. (TransactWriteItems is authorized by the item actions.) */
const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
] as const;

/**
 * Grants the reaper's role its EC2 statements, the table and the topics (with their keys, through the grant
 * methods), and acknowledges the wildcards that remain, each with its reason.
 */
function grantReaperRole(role: iam.Role, options: ReaperGrantOptions): void {
  for (const statement of ec2PolicyStatements(role, options)) role.addToPrincipalPolicy(statement);
  options.table.grant(role, ...TABLE_ACTIONS);
  for (const topic of options.topics) topic.grantPublish(role);
  NagSuppressions.addResourceSuppressions(
    role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'ec2:Describe*, cloudwatch:GetMetricData/ListMetrics and pricing:GetProducts support no resource narrower ' +
          'than "*"; stop/terminate/tag are on instance/* because instance IDs are unknown at deploy, and are ' +
          'narrowed by conditions (GPU instance type, scope tags, own tag key) plus an explicit opt-out deny; the ' +
          'table grant covers its indexes (table/index/*); kms:GenerateDataKey* is what SNS needs to publish to a ' +
          'KMS-encrypted topic.',
        appliesTo: [
          'Resource::*',
          // Every form the CDK renders these ARNs in (pseudo parameters or literals, CLI or not): nag-findings.ts.
          EC2_INSTANCES_FINDING,
          TABLE_INDEXES_FINDING,
          'Action::kms:GenerateDataKey*',
        ],
      },
    ],
    true,
  );
}

export type { Ec2PermissionOptions, ReaperGrantOptions };
export {
  configTerminates,
  DEFAULT_GPU_INSTANCE_TYPES,
  ec2PolicyStatements,
  grantReaperRole,
  instanceArns,
  instanceTypePatterns,
  NEURON_INSTANCE_TYPES,
  READ_ACTIONS,
  reaperTagKeys,
  scopeCondition,
  TABLE_ACTIONS,
};
