/**
 * The weekly digest: a second gpu-reaper Lambda (functions/digest.ts) that reads the last 7 days of the audit trail
 * and mails admins the same report as `gpu-reaper report --since 7d`. It may only query the table and publish to
 * the admin topic.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { type Config, EnvName, ReaperMetrics } from '../../../shared/config';
import { TABLE_INDEXES_FINDING } from './nag-findings';
import { functionEntry, GpuReaperFunction } from './reaper-function';
import { ScheduledInvoke } from './schedule';

/** Mondays at 08:00 UTC: the week's report is in the inbox when the week starts. */
const DEFAULT_DIGEST_SCHEDULE = 'cron(0 8 ? * MON *)';
/** A digest tick may wait this long for a retry: a late digest is still worth sending, a day-old one less so. */
const DIGEST_MAX_EVENT_AGE = Duration.hours(6);

/** Props of {@link WeeklyDigest}. */
interface WeeklyDigestProps {
  /** The validated config, as the reaper gets it. */
  readonly config: Config;
  /** The audit table it reads (Query on the table and its by-time index). */
  readonly table: dynamodb.ITable;
  /** Where the digest goes. */
  readonly adminTopic: sns.ITopic;
  /** Failed and undelivered invokes. */
  readonly deadLetterQueue: IQueue;
  /** EventBridge `rate(...)` or `cron(...)` expression. @default 'cron(0 8 ? * MON *)' (Mondays 08:00 UTC) */
  readonly schedule?: string;
  /** The entry file. @default functions/digest.ts at the repository root */
  readonly entry?: string;
  /** Log retention. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/** The weekly digest function, its schedule, its least-privilege grants and its error alarm. */
class WeeklyDigest extends Construct {
  /** The digest Lambda. */
  readonly function: NodejsFunction;
  /** Its execution role: logs, Query on the table, Publish on the admin topic, read-only GPU history. */
  readonly role: iam.Role;
  /** The EventBridge rule that starts it. */
  readonly scheduleRule: events.Rule;
  /** A digest failed (the function threw or timed out). */
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WeeklyDigestProps) {
    super(scope, id);
    const digest = new GpuReaperFunction(this, 'Digest', {
      entry: props.entry ?? functionEntry('digest'),
      description: 'gpu-reaper: weekly digest of the audit trail (money and GPU-hours avoided) to the admin topic',
      environment: {
        [EnvName.Config]: JSON.stringify(props.config),
        [EnvName.Table]: props.table.tableName,
        [EnvName.AdminTopicArn]: props.adminTopic.topicArn,
        POWERTOOLS_SERVICE_NAME: ReaperMetrics.service,
      },
      deadLetterQueue: props.deadLetterQueue,
      // The fleet audit reads a week of GPU history, streamed in batches: 10,000 instances fit in 1 GiB and a few
      // minutes (npm run bench, "fleet audit"); the headroom is for a slower CloudWatch.
      memorySize: 1536,
      timeout: Duration.minutes(10),
      logRetention: props.logRetention,
      maxEventAge: DIGEST_MAX_EVENT_AGE,
    });
    this.function = digest.function;
    this.role = digest.role;
    props.table.grant(this.role, 'dynamodb:Query');
    props.adminTopic.grantPublish(this.role);
    // The fleet audit: the week's GPU history (ListMetrics, GetMetricData) and the instances' types and tags.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadGpuHistoryForTheFleetAudit',
        actions: ['cloudwatch:ListMetrics', 'cloudwatch:GetMetricData', 'ec2:DescribeInstances'],
        resources: ['*'],
      }),
    );
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Query must reach the by-time index (table/index/*) to read a week without a Scan; ' +
            'kms:GenerateDataKey* is what SNS needs to publish to a KMS-encrypted topic; ListMetrics, ' +
            'GetMetricData and DescribeInstances have no resource-level permissions (read-only, for the fleet audit).',
          appliesTo: [TABLE_INDEXES_FINDING, 'Action::kms:GenerateDataKey*', 'Resource::*'],
        },
      ],
      true,
    );

    const schedule = props.schedule ?? DEFAULT_DIGEST_SCHEDULE;
    this.scheduleRule = new ScheduledInvoke(this, 'Schedule', {
      schedule,
      target: this.function,
      deadLetterQueue: props.deadLetterQueue,
      maxEventAge: DIGEST_MAX_EVENT_AGE,
      description: `gpu-reaper: sends the weekly digest (${schedule})`,
    }).rule;

    this.errorsAlarm = this.function
      .metricErrors({ period: Duration.hours(1), statistic: 'Sum' })
      .createAlarm(this, 'Errors', {
        alarmDescription: 'gpu-reaper: the weekly digest failed',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.errorsAlarm.addAlarmAction(new actions.SnsAction(props.adminTopic));
  }
}

export type { WeeklyDigestProps };
export { DEFAULT_DIGEST_SCHEDULE, WeeklyDigest };
