/**
 * The props of the `GpuReaper` construct: the keys of the config file (every key optional, the config's defaults,
 * validated at synth by the one config schema) plus the options only the infrastructure has. Flat and readonly, as the aws-cdk
 * design guidelines ask.
 */
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type ConfigInput, configSchema } from '../../../shared/config';

/** The config document (the same JSON the CLI reads), one prop per top-level key. */
interface GpuReaperConfigProps {
  /** `dry-run` does everything but the EC2 stop/terminate calls; `enforce` acts. @default 'dry-run' */
  readonly mode?: ConfigInput['mode'];
  /** Regions to scan; empty means the stack's own region. Also bounds the IAM grants to these regions. @default [] */
  readonly regions?: ConfigInput['regions'];
  /** EventBridge `rate(...)` or `cron(...)` expression for the passes. @default 'rate(5 minutes)' */
  readonly schedule?: ConfigInput['schedule'];
  /** Instances must carry one of these tag values; also enforced in IAM. @default { tags: {} } (every GPU instance) */
  readonly scope?: ConfigInput['scope'];
  /** Prefix of the reaper's tags (`opt-out`, `warned`, …); the IAM conditions follow it. @default 'gpu-reaper:' */
  readonly tagPrefix?: ConfigInput['tagPrefix'];
  /** Tag naming the instance's owner. @default 'Owner' */
  readonly ownerTag?: ConfigInput['ownerTag'];
  /**
   * Where GPU utilization is read; the nvidia_smi source's namespace is also the shipped agent config's.
   * @default { sources: [{ namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' }, { namespace: 'DeepLearningTrain', metric: 'GPU Usage' }] }
   */
  readonly metrics?: ConfigInput['metrics'];
  /** Max-runtime rule. @default { enabled: true, default: '12h', ceiling: '7d', warnAhead: '1h' } */
  readonly maxRuntime?: ConfigInput['maxRuntime'];
  /** Idle rule. @default { enabled: true, threshold: 5, window: '1h', minCoverage: 0.8 } */
  readonly idle?: ConfigInput['idle'];
  /** Never-used rule. @default { enabled: true, after: '30m', threshold: 5 } */
  readonly neverUsed?: ConfigInput['neverUsed'];
  /** No-telemetry rule (notify only). @default { enabled: true, after: '30m' } */
  readonly noTelemetry?: ConfigInput['noTelemetry'];
  /**
   * Host activity (EC2's own CPU and network metrics) gating never-used and idle.
   * @default { host: { enabled: true, cpu: 10, networkMiBPerMinute: 5, notifyAfter: '2h' } }
   */
  readonly activity?: ConfigInput['activity'];
  /** Warning ahead of any action. @default { grace: '30m' } */
  readonly warning?: ConfigInput['warning'];
  /** Longest snooze honoured. @default { ceiling: '24h' } */
  readonly snooze?: ConfigInput['snooze'];
  /** Action per rule. @default stop for every rule, `notify` when a stop is impossible, `skip` for ASG members */
  readonly actions?: ConfigInput['actions'];
  /**
   * Cost-gating: a run whose projected cost (hourly price × allowed runtime) reaches `threshold` needs an
   * approver's approval, or it is stopped `grace` after its warning. Adds the launch trigger and the approvers'
   * managed policy. @default null (off)
   */
  readonly gating?: ConfigInput['gating'];
  /** The fleet audit of the report and the weekly digest: the tags it groups spend by. @default { groupBy: ['Team', 'Project'] } */
  readonly report?: ConfigInput['report'];
  /**
   * Monthly budgets per team (the `tag` value): told at `warnAt`, and over budget every instance of the team needs
   * approval until the month ends. @default null (off)
   */
  readonly budgets?: ConfigInput['budgets'];
  /** Cap on stop/terminate actions per pass. @default 20 */
  readonly maxActionsPerPass?: ConfigInput['maxActionsPerPass'];
  /** Physical name of the audit table the construct creates. @default null (CloudFormation names it) */
  readonly auditTable?: ConfigInput['auditTable'];
  /** How long audit items live (DynamoDB TTL). @default '400d' */
  readonly auditRetention?: ConfigInput['auditRetention'];
  /** An existing owner topic to publish to instead of creating one. @default null (a new encrypted topic) */
  readonly topicArn?: ConfigInput['topicArn'];
  /** Email addresses subscribed to the owner topic. @default { emails: [] } */
  readonly notifications?: ConfigInput['notifications'];
  /**
   * The member accounts of an organization to cover: with it set, the construct is the hub (a dispatcher enqueues
   * one message per target, a worker runs each target's pass in the account's `roleName` role).
   * @default null (the account the stack is in, one scheduled reaper Lambda)
   */
  readonly accounts?: ConfigInput['accounts'];
  /**
   * On-demand $/hour per instance type (`overrides`) and whether to ask the AWS Pricing API (`live`); the bundled
   * table covers the rest. @default { overrides: {}, live: false }
   */
  readonly prices?: ConfigInput['prices'];
}

/** Options only the infrastructure has; they never reach the Lambda's config. */
interface GpuReaperInfraProps {
  /** An existing audit table (keys of `AuditTableDesign`) instead of a new one. @default a new table */
  readonly table?: ITable;
  /** An existing owner topic instead of a new one. @default the topic of `topicArn`, else a new encrypted topic */
  readonly topic?: ITopic;
  /** An existing topic for alarms and admin notices. @default a new encrypted topic */
  readonly adminTopic?: ITopic;
  /** Email addresses subscribed to the admin topic (alarms, capped passes). @default `notifications.emails` */
  readonly adminEmails?: readonly string[];
  /**
   * `ec2:InstanceType` patterns the reaper may stop, terminate and tag.
   * @default ['p*.*', 'g*.*', 'dl1.*'], plus ['trn*.*', 'inf*.*'] when `scope.accelerators` lists `neuron`
   */
  readonly gpuInstanceTypes?: readonly string[];
  /** Create the SSM associations that install and configure the CloudWatch agent on tagged instances. @default false */
  readonly installAgent?: boolean;
  /** Tag key selecting the instances the agent associations target. @default `${tagPrefix}cloudwatch-agent` */
  readonly agentTargetTagKey?: string;
  /** Tag values selecting the instances the agent associations target. @default ['install'] */
  readonly agentTargetTagValues?: readonly string[];
  /**
   * Name of the SSM parameter holding the agent config. The `AmazonCloudWatch-` prefix is what the managed policy
   * `CloudWatchAgentServerPolicy` lets instances read.
   * @default 'AmazonCloudWatch-gpu-reaper'
   */
  readonly agentConfigParameterName?: string;
  /** The reaper Lambda's entry file. @default functions/reaper.ts at the repository root */
  readonly reaperEntry?: string;
  /**
   * When the weekly digest (the last 7 days of the audit trail, money and GPU-hours avoided) goes to the admin
   * topic: an EventBridge `rate(...)` or `cron(...)` expression, in UTC.
   * @default 'cron(0 8 ? * MON *)' (Mondays 08:00 UTC)
   */
  readonly digestSchedule?: string;
  /** The digest Lambda's entry file. @default functions/digest.ts at the repository root */
  readonly digestEntry?: string;
  /** Memory of the reaper Lambda, in MB (CPU scales with it). @default 512 */
  readonly memorySize?: number;
  /** Longest a pass may run. @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** Retention of the Lambda's log group. @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /**
   * Expected time between passes, for the "reaper did not run" alarm (it fires after three missed passes).
   * @default the period of a `rate()` schedule; one day for a `cron()` schedule
   */
  readonly runInterval?: Duration;
  /** What happens to the audit table when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * The organization (`o-…`) whose accounts the worker may assume the spoke role in (`aws:ResourceOrgID`).
   * @default none; required when `accounts` is set
   */
  readonly organizationId?: string;
  /** Most target passes at once (the worker's SQS event source `MaximumConcurrency`, 2 to 1000). @default 20 */
  readonly workerMaxConcurrency?: number;
  /** Attempts per target and tick before its message goes to the target dead-letter queue. @default 3 */
  readonly maxTargetAttempts?: number;
  /**
   * The owner-action endpoint: one-click keep and stop-now links in WARNED messages (`notifications.links`), a
   * Lambda Function URL and a KMS HMAC key. `false`: no endpoint, no key; messages carry the tag instructions only.
   * One account only (`accounts: null`).
   * @default true, except in a stack whose region is in GovCloud or an ISO partition (no Lambda Function URLs there)
   */
  readonly ownerActions?: boolean;
  /**
   * Most owner-action requests at once (the endpoint's reserved concurrency); the rest get 429. Opt-in: an account
   * still at the new-account concurrency quota of 10 can reserve none (AWS keeps 10 unreserved).
   * @default none (no reservation)
   */
  readonly ownerActionConcurrency?: number;
  /**
   * Reserved concurrency of the Lambda the schedule starts (the reaper; with `accounts`, the dispatcher). Not needed
   * for one pass at a time (a pass leases its account and region in the state table, and an invocation that finds
   * the lease held logs and returns); `1` also keeps a second invocation from starting at all. Opt-in, as for
   * `ownerActionConcurrency`. @default none (no reservation)
   */
  readonly reaperConcurrency?: number;
  /** The owner-action Lambda's entry file. @default functions/owner-action.ts at the repository root */
  readonly ownerActionEntry?: string;
  /** The dispatcher Lambda's entry file (hub only). @default functions/dispatcher.ts at the repository root */
  readonly dispatcherEntry?: string;
  /** The worker Lambda's entry file (hub only). @default functions/worker.ts at the repository root */
  readonly workerEntry?: string;
}

/**
 * Props of the `GpuReaper` construct: the config keys plus infra options, all optional.
 */
interface GpuReaperProps extends GpuReaperConfigProps, GpuReaperInfraProps {}

/** The config keys, in schema order; used to pick the config slice out of the props. */
const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof ConfigInput)[];

// Compile-time guard: the config props above list exactly the schema's keys, so neither can drift.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : never;
const configPropsMatchSchema: SameKeys<GpuReaperConfigProps, ConfigInput> = true;
void configPropsMatchSchema;

/** Picks the config document out of the props (infra options never reach the Lambda). */
function configSlice(props: GpuReaperProps): ConfigInput {
  const slice: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    if (props[key] !== undefined) slice[key] = props[key];
  }
  return slice as ConfigInput;
}

export type { GpuReaperConfigProps, GpuReaperInfraProps, GpuReaperProps };
export { CONFIG_KEYS, configSlice };
