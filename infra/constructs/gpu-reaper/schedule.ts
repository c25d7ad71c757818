/**
 * The schedule that starts a pass, and the timings derived from it (how stale an invoke may get, when "did not run"
 * alarms). Kept apart from the rule so the second scheduled function (the weekly digest) reuses it.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/;
const UNIT_MINUTES = { minute: 1, hour: 60, day: 1440 } as const;

/**
 * The period of a `rate(...)` expression; `undefined` for `cron(...)`, whose spacing can vary.
 *
 * @example schedulePeriod('rate(5 minutes)')?.toMinutes() // 5
 */
function schedulePeriod(expression: string): Duration | undefined {
  const match = RATE.exec(expression.trim());
  if (!match) return undefined;
  const unit = match[2]?.replace(/s$/, '') as keyof typeof UNIT_MINUTES;
  return Duration.minutes(Number(match[1]) * UNIT_MINUTES[unit]);
}

/** Props of {@link ScheduledInvoke}. */
interface ScheduledInvokeProps {
  /** EventBridge `rate(...)` or `cron(...)` expression. */
  readonly schedule: string;
  /** The function each tick invokes (asynchronously). */
  readonly target: IFunction;
  /** Where events go when EventBridge cannot deliver them (throttled, function missing). */
  readonly deadLetterQueue: IQueue;
  /** How long EventBridge keeps retrying delivery. @default Duration.hours(1) */
  readonly maxEventAge?: Duration;
  /** What the rule is for, shown in the console. @default none */
  readonly description?: string;
}

/** An EventBridge rule that invokes a function on a schedule, with a dead-letter queue for undelivered events. */
class ScheduledInvoke extends Construct {
  /** The EventBridge rule. */
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ScheduledInvokeProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: props.description,
      schedule: events.Schedule.expression(props.schedule),
      targets: [
        new targets.LambdaFunction(props.target, {
          deadLetterQueue: props.deadLetterQueue,
          // A tick older than this is worth less than the next one: drop it to the queue instead.
          maxEventAge: props.maxEventAge ?? Duration.hours(1),
          retryAttempts: 2,
        }),
      ],
    });
  }
}

export type { ScheduledInvokeProps };
export { ScheduledInvoke, schedulePeriod };
