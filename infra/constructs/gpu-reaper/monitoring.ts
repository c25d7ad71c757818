/**
 * Alarms that tell admins when the reaper itself is unwell (errors, a pass that did not run, dead letters) and a
 * dashboard of what it does (scanned, warned, acted by rule, errors, pass duration) from `ReaperMetrics`.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ReaperMetrics } from '../../../shared/config';
import type { FanOutAlarms } from './fan-out';

/** What the dashboard and alarms need of the hub's fan-out (see fan-out.ts). */
interface FanOutView {
  /** The worker, whose log lines `target pass done` carry `accountId`, `region` and the pass `summary`. */
  readonly worker: { readonly logGroup: ILogGroup };
  /** Its alarms (failing targets, dead targets), notifying the admin topic too. */
  readonly alarms: FanOutAlarms;
}

/** Props of {@link Monitoring}. */
interface MonitoringProps {
  /** The function that runs passes (the reaper, or the hub's worker). */
  readonly reaper: IFunction;
  /** The function the schedule invokes, watched by "did not run". @default `reaper` */
  readonly scheduled?: IFunction;
  /** The hub's fan-out: per-account widgets and its alarms. @default none (a single account) */
  readonly fanOut?: FanOutView;
  /** The dead-letter queue of failed or undelivered invokes. */
  readonly deadLetterQueue: IQueue;
  /** Where alarms notify. */
  readonly adminTopic: ITopic;
  /** Expected time between passes. */
  readonly runInterval: Duration;
}

/** The reaper's alarms. */
interface ReaperAlarms {
  /** A pass failed (the function threw or timed out). */
  readonly errors: cloudwatch.Alarm;
  /** No pass started for three run intervals. */
  readonly didNotRun: cloudwatch.Alarm;
  /** A scheduled pass was dropped or failed after its retries. */
  readonly deadLetters: cloudwatch.Alarm;
}

const DAY_SECONDS = 86_400;
const HOUR_SECONDS = 3_600;

/**
 * Period and evaluation periods for "no invocation in three run intervals", inside CloudWatch's limits (period ≤ one
 * day; period × periods ≤ one day below an hour's period, ≤ seven days otherwise).
 */
function missedRunWindow(runInterval: Duration): { period: Duration; evaluationPeriods: number } {
  const seconds = Math.max(60, Math.ceil(runInterval.toSeconds({ integral: false }) / 60) * 60);
  // Five minutes at least: Lambda metrics arrive late, and one-minute periods would read that lateness as silence.
  const period = Math.min(Math.max(seconds, 300), DAY_SECONDS);
  const limit = period < HOUR_SECONDS ? DAY_SECONDS : 7 * DAY_SECONDS;
  const evaluationPeriods = Math.max(1, Math.min(Math.ceil((3 * seconds) / period), Math.floor(limit / period)));
  return { period: Duration.seconds(period), evaluationPeriods };
}

/** A metric the reaper publishes (EMF, Powertools adds the `service` dimension). */
function reaperMetric(metricName: string, statistic: string, label: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: ReaperMetrics.namespace,
    metricName,
    dimensionsMap: { service: ReaperMetrics.service },
    statistic,
    label,
    period: Duration.minutes(5),
  });
}

/** The reaper's alarms and dashboard. */
class Monitoring extends Construct {
  /** The alarms, all notifying the admin topic. */
  readonly alarms: ReaperAlarms;
  /** The dashboard. */
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const window = missedRunWindow(props.runInterval);
    this.alarms = {
      errors: new cloudwatch.Alarm(this, 'ReaperErrors', {
        alarmDescription: 'gpu-reaper: a pass failed (the Lambda threw or timed out). See its log group.',
        metric: props.reaper.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      didNotRun: new cloudwatch.Alarm(this, 'ReaperDidNotRun', {
        alarmDescription: 'gpu-reaper: no pass started for three schedule periods (rule disabled, throttled, deleted).',
        metric: (props.scheduled ?? props.reaper).metricInvocations({ period: window.period, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: window.evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        // No invocation publishes no datapoint: silence is the failure this alarm exists for.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
      deadLetters: new cloudwatch.Alarm(this, 'DeadLetters', {
        alarmDescription: 'gpu-reaper: a scheduled pass was dropped or failed after retries (dead-letter queue).',
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };
    const notify = new actions.SnsAction(props.adminTopic);
    for (const alarm of [...Object.values(this.alarms), ...fanOutAlarms(props.fanOut)]) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
    this.dashboard = this.createDashboard(props);
  }

  private createDashboard(props: MonitoringProps): cloudwatch.Dashboard {
    const actedByRule = new cloudwatch.MathExpression({
      expression: `SEARCH('{${ReaperMetrics.namespace},Rule,service} MetricName="${ReaperMetrics.acted}"', 'Sum', 300)`,
      label: '',
      period: Duration.minutes(5),
    });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...Object.values(this.alarms), ...fanOutAlarms(props.fanOut)],
        width: 24,
        height: 3,
      }),
      new cloudwatch.GraphWidget({
        title: 'Instances per pass',
        left: [
          reaperMetric(ReaperMetrics.instancesScanned, 'Maximum', 'scanned'),
          reaperMetric(ReaperMetrics.warned, 'Sum', 'warned'),
          reaperMetric(ReaperMetrics.acted, 'Sum', 'acted'),
          reaperMetric(ReaperMetrics.notified, 'Sum', 'notified'),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'Acted by rule', left: [actedByRule], width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Errors',
        left: [
          reaperMetric(ReaperMetrics.errors, 'Sum', 'per-instance errors'),
          props.reaper.metricErrors({ label: 'failed passes', statistic: 'Sum', period: Duration.minutes(5) }),
          props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            label: 'dead letters',
            statistic: 'Maximum',
          }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Pass duration (ms)',
        left: [
          reaperMetric(ReaperMetrics.passDuration, 'Maximum', 'pass (reaper metric)'),
          props.reaper.metricDuration({ label: 'Lambda p99', statistic: 'p99', period: Duration.minutes(5) }),
        ],
        right: [
          props.reaper.metricInvocations({ label: 'invocations', statistic: 'Sum', period: Duration.minutes(5) }),
        ],
        width: 12,
      }),
    );
    if (props.fanOut) dashboard.addWidgets(...perAccountWidgets(props.fanOut));
    return dashboard;
  }
}

function fanOutAlarms(fanOut: FanOutView | undefined): cloudwatch.Alarm[] {
  return fanOut ? [fanOut.alarms.failingTargets, fanOut.alarms.deadTargets] : [];
}

/**
 * Per-account figures of the hub. Totals per account come from the worker's log (Logs Insights reads the
 * `target pass done` lines), not from custom metrics: a metric per account would cost one custom metric per account
 * and figure, every hour, for a thousand accounts. Failures per target come from the `TargetPassFailed` metric,
 * which exists only for targets that failed.
 */
function perAccountWidgets(fanOut: FanOutView): cloudwatch.IWidget[] {
  const failed = `SELECT SUM(${ReaperMetrics.targetFailed}) FROM SCHEMA("${ReaperMetrics.namespace}", AccountId, Region, service)`;
  return [
    new cloudwatch.LogQueryWidget({
      title: 'Per account: passes, instances, warnings, actions',
      logGroupNames: [fanOut.worker.logGroup.logGroupName],
      queryLines: [
        'filter message = "target pass done"',
        'stats count(*) as passes, max(summary.scanned) as instances, sum(summary.warned) as warned, ' +
          'sum(summary.acted) as acted, sum(summary.notified) as notified, sum(summary.errors) as errors by accountId',
        'sort acted desc, warned desc',
        'limit 100',
      ],
      view: cloudwatch.LogQueryVisualizationType.TABLE,
      width: 12,
      height: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'Failed target passes, by account and region',
      left: [
        new cloudwatch.MathExpression({
          expression: `${failed} GROUP BY AccountId, Region ORDER BY SUM() DESC LIMIT 20`,
          label: '',
          period: Duration.minutes(5),
        }),
      ],
      width: 12,
      height: 8,
    }),
  ];
}

export type { FanOutView, MonitoringProps, ReaperAlarms };
export { Monitoring, missedRunWindow };
