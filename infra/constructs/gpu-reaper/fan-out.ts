/**
 * The hub's fan-out over an organization (config `accounts`): each schedule tick a small dispatcher Lambda resolves
 * the targets (account × region) and sends one SQS message per target; a worker Lambda consumes the queue, one
 * target's pass per message, with bounded concurrency, partial batch failures and a dead-letter queue.
 *
 * No overlap per target: the dispatcher takes a lease item per target in the state table with a conditional put
 * (`TARGET#<account>#<region>`, `LEASE`) before it enqueues, and skips the target while the lease is held; the
 * worker releases the lease when the pass succeeded. A message that fails is retried by SQS with its lease still
 * held, and the lease expires on its own once the message can no longer exist (its retention) plus one run (the
 * worker's timeout), so a message lost to the dead-letter queue blocks its target for one lease at most. Chosen over
 * a FIFO queue with one message group per target: FIFO would run a target's passes one after the other, but would
 * still enqueue a message per tick behind a slow pass, a backlog that then runs back to back; the lease never
 * enqueues it at all, costs two small writes per target and tick, and shows what is in flight in the table.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { type Config, EnvName, ReaperMetrics } from '../../../shared/config';
import { LaunchWake } from './launch-wake';
import { TABLE_INDEXES_FINDING } from './nag-findings';
import { TABLE_ACTIONS } from './permissions';
import { functionEntry, GpuReaperFunction } from './reaper-function';

/** Organizations reads the dispatcher makes to list the ACTIVE accounts under the configured OUs (paginated). */
const ORGANIZATIONS_READ_ACTIONS = [
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
  'organizations:ListChildren',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListAccountsForParent',
  'organizations:ListAccounts',
  'organizations:ListParents',
  'organizations:DescribeOrganizationalUnit',
] as const;

/** How a lease item's partition key starts (`TARGET#<account>#<region>`, sort key `LEASE`). */
const LEASE_PARTITION_PREFIX = 'TARGET#';

/** Props of {@link FanOut}. */
interface FanOutProps {
  /** The validated config (with `accounts` set). */
  readonly config: Config;
  /** The organization (`o-…`) the worker may assume the spoke role in (`aws:ResourceOrgID`). */
  readonly organizationId: string;
  /** The audit and state table (audit items, warning state, target leases). */
  readonly table: ITable;
  /** Owner notifications, published by the worker. */
  readonly topic: ITopic;
  /** Alarms and admin notices, published by the worker. */
  readonly adminTopic: ITopic;
  /** Where the dispatcher's failed or undelivered scheduled invokes go. */
  readonly scheduleDeadLetterQueue: sqs.IQueue;
  /** Expected time between ticks. */
  readonly runInterval: Duration;
  /** Environment both functions share (Powertools names). */
  readonly environment: Readonly<Record<string, string>>;
  /** Most worker invocations at once (the event source's `MaximumConcurrency`, 2 to 1000). @default 20 */
  readonly maxConcurrency?: number;
  /** Reserved concurrency of the dispatcher (its leases already keep ticks from enqueueing twice). @default none */
  readonly dispatcherConcurrency?: number;
  /** Attempts per target and tick before its message goes to the dead-letter queue. @default 3 */
  readonly maxAttempts?: number;
  /** Longest one target's pass may run (the worker's timeout). @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** Memory of the worker, in MB. @default 512 */
  readonly memorySize?: number;
  /** Retention of both log groups. @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** The dispatcher's entry. @default functions/dispatcher.ts */
  readonly dispatcherEntry?: string;
  /** The worker's entry. @default functions/worker.ts */
  readonly workerEntry?: string;
  /** Oldest scheduled invoke of the dispatcher still worth running. @default Duration.hours(1) */
  readonly maxEventAge?: Duration;
}

/** Alarms of the fan-out. */
interface FanOutAlarms {
  /**
   * One contributor per target (`AccountId`, `Region`) whose passes failed `maxAttempts` times within the window:
   * a Metrics Insights alarm over the worker's `TargetPassFailed` metric, grouped by target.
   */
  readonly failingTargets: cloudwatch.Alarm;
  /** A target's message went to the dead-letter queue (its body names the account and region). */
  readonly deadTargets: cloudwatch.Alarm;
}

/**
 * The dispatcher, the target queue and its dead-letter queue, the worker and its role, and the per-target alarms.
 *
 * @example
 * const fanOut = new FanOut(this, 'FanOut', { config, organizationId: 'o-a1b2c3d4e5', table, topic, adminTopic,
 *   scheduleDeadLetterQueue, runInterval: Duration.minutes(5), environment: {} });
 */
class FanOut extends Construct {
  /** The dispatcher (invoked by the schedule): targets → leases → one message per target. */
  readonly dispatcher: GpuReaperFunction;
  /** The worker (fed by the queue): one target's pass per message. */
  readonly worker: GpuReaperFunction;
  /** One message per target and tick. */
  readonly queue: sqs.Queue;
  /** Messages of targets that failed every attempt. */
  readonly deadLetterQueue: sqs.Queue;
  /** The spoke role ARN pattern the worker may assume: `arn:<partition>:iam::*:role/<roleName>`. */
  readonly spokeRoleArnPattern: string;
  /** Longest a target stays leased: the message's retention plus one run of the worker. */
  readonly leaseDuration: Duration;
  /** Per-target and dead-letter alarms (actions are added by the caller). */
  readonly alarms: FanOutAlarms;
  /** The bus the spokes forward launches to, and the rule that wakes their target through the dispatcher. */
  readonly launchWake: LaunchWake;

  constructor(scope: Construct, id: string, props: FanOutProps) {
    super(scope, id);
    const accounts = props.config.accounts;
    if (accounts === null) throw new Error('FanOut needs config.accounts');
    const timeout = props.timeout ?? Duration.minutes(5);
    const maxAttempts = props.maxAttempts ?? 3;
    // Batch size 1 and MaximumConcurrency keep the poller from overdriving the worker, so twice the timeout is
    // enough visibility (the 6× rule of thumb is for throttled functions); each attempt gets a full run.
    const visibilityTimeout = Duration.seconds(timeout.toSeconds() * 2);
    const retentionPeriod = Duration.seconds(Math.max(60, visibilityTimeout.toSeconds() * maxAttempts));
    this.leaseDuration = Duration.seconds(retentionPeriod.toSeconds() + timeout.toSeconds());

    this.deadLetterQueue = new sqs.Queue(this, 'TargetDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Failed targets for inspection only; the audit trail (ERROR events) lives in the table.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the target queue.' },
    ]);
    this.queue = new sqs.Queue(this, 'TargetQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      // A message never outlives its target's lease: past it, the next tick enqueues the target afresh.
      retentionPeriod,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: maxAttempts },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const configJson = JSON.stringify(props.config);
    this.dispatcher = new GpuReaperFunction(this, 'Dispatcher', {
      entry: props.dispatcherEntry ?? functionEntry('dispatcher'),
      description: 'gpu-reaper: resolves the targets (account × region) and enqueues one message per target',
      environment: {
        ...props.environment,
        [EnvName.Config]: configJson,
        [EnvName.Table]: props.table.tableName,
        [EnvName.TargetQueueUrl]: this.queue.queueUrl,
        [EnvName.TargetLeaseMs]: String(this.leaseDuration.toMilliseconds()),
      },
      deadLetterQueue: props.scheduleDeadLetterQueue,
      logRetention: props.logRetention,
      maxEventAge: props.maxEventAge,
      // Listing a large organization and leasing thousands of targets takes seconds, not minutes.
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: props.dispatcherConcurrency,
    });
    this.grantDispatcher(props);
    this.launchWake = new LaunchWake(this, 'LaunchWake', {
      organizationId: props.organizationId,
      dispatcher: this.dispatcher.function,
      deadLetterQueue: props.scheduleDeadLetterQueue,
      maxEventAge: props.maxEventAge,
    });

    this.worker = new GpuReaperFunction(this, 'Worker', {
      entry: props.workerEntry ?? functionEntry('worker'),
      description: 'gpu-reaper: one target pass (warn, then stop or terminate) in a member account',
      environment: {
        ...props.environment,
        [EnvName.Config]: configJson,
        [EnvName.Table]: props.table.tableName,
        [EnvName.TopicArn]: props.topic.topicArn,
        [EnvName.AdminTopicArn]: props.adminTopic.topicArn,
      },
      memorySize: props.memorySize,
      timeout,
      logRetention: props.logRetention,
      // No reservation: the event source's MaximumConcurrency bounds it (a reservation below it would throttle the poller).
    });
    this.worker.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        maxConcurrency: props.maxConcurrency ?? 20,
        reportBatchItemFailures: true,
      }),
    );
    this.spokeRoleArnPattern = Stack.of(this).formatArn({
      service: 'iam',
      region: '',
      account: '*',
      resource: 'role',
      resourceName: accounts.roleName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.grantWorker(props);
    this.alarms = this.createAlarms(maxAttempts, retentionPeriod);
  }

  private grantDispatcher(props: FanOutProps): void {
    const role = this.dispatcher.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListOrganizationAccounts',
        actions: [...ORGANIZATIONS_READ_ACTIONS],
        resources: ['*'],
      }),
    );
    // Lease and target-state items only: the dispatcher can read or write no audit or warning item.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LeaseTargets',
        actions: [
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
        ],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${LEASE_PARTITION_PREFIX}*`] } },
      }),
    );
    this.queue.grantSendMessages(role);
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Organizations list and describe calls support no narrower resource than "*" for an organization whose ' +
            'management account is unknown at deploy; they are read-only.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }

  private grantWorker(props: FanOutProps): void {
    const role = this.worker.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeSpokeRoleInOrganization',
        actions: ['sts:AssumeRole'],
        resources: [this.spokeRoleArnPattern],
        // Only roles of accounts in this organization, whatever account id a message names.
        conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadPrices', actions: ['pricing:GetProducts'], resources: ['*'] }),
    );
    props.table.grant(role, ...TABLE_ACTIONS);
    props.topic.grantPublish(role);
    props.adminTopic.grantPublish(role);
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The spoke role has the same name in every member account, whose ids are discovered at run time: the ' +
            'assume grant names the role in any account and is held to the organization by aws:ResourceOrgID. ' +
            'pricing:GetProducts supports no narrower resource than "*". The table grant covers its indexes; ' +
            'kms:GenerateDataKey* is what SNS needs to publish to a KMS-encrypted topic.',
          appliesTo: [
            'Resource::*',
            { regex: `/^Resource::arn:(?:<AWS::Partition>|aws(?:-[a-z]+)*):iam::\\*:role\\/[\\w+=,.@-]+$/` },
            TABLE_INDEXES_FINDING,
            'Action::kms:GenerateDataKey*',
          ],
        },
      ],
      true,
    );
  }

  /**
   * Why a Metrics Insights alarm: targets are discovered each tick, so no alarm can be created per target at deploy.
   * A Metrics Insights query with GROUP BY returns one time series per target, and CloudWatch evaluates each as a
   * contributor of one alarm (its notification and state reason name the AccountId and Region). The worker publishes
   * the metric only when a target fails, so healthy targets cost no custom metric and no series. The dead-letter
   * alarm backs it with the message (naming the target) kept for 14 days.
   */
  private createAlarms(maxAttempts: number, retentionPeriod: Duration): FanOutAlarms {
    // Long enough to see every attempt of one tick (Metrics Insights alarms read at most the last 3 hours).
    const minutes = Math.min(180, Math.max(60, Math.ceil(retentionPeriod.toMinutes({ integral: false }))));
    const period = Duration.minutes(minutes);
    const schema = `SCHEMA("${ReaperMetrics.namespace}", AccountId, Region, service)`;
    return {
      failingTargets: new cloudwatch.Alarm(this, 'FailingTargets', {
        alarmDescription:
          `gpu-reaper: a target (account x region) failed ${maxAttempts} passes in ${minutes} minutes: role not ` +
          'assumable, throttled or region off. The contributors name each AccountId and Region; see the worker log.',
        metric: new cloudwatch.MathExpression({
          expression: `SELECT SUM(${ReaperMetrics.targetFailed}) FROM ${schema} GROUP BY AccountId, Region`,
          period,
          label: 'failed passes per target',
        }),
        threshold: maxAttempts,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      deadTargets: new cloudwatch.Alarm(this, 'DeadTargets', {
        alarmDescription:
          'gpu-reaper: a target failed every attempt of a tick; its message (account, region) is in the target ' +
          'dead-letter queue.',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };
  }
}

export type { FanOutAlarms, FanOutProps };
export { FanOut, LEASE_PARTITION_PREFIX, ORGANIZATIONS_READ_ACTIONS };
