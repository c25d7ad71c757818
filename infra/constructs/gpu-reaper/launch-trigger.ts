/**
 * The launch trigger of cost-gating and budgets: an EventBridge rule on EC2's state-change events (`running`) that
 * invokes the reaper, so a pass over that region starts within a minute of a launch and an unapproved expensive run
 * is warned at once instead of at the next tick. EventBridge sees the events of its own region only: the rule lives
 * in the stack's region, and launches in other configured regions wait for the next tick. The reaper takes the same
 * pass lease as the tick, so the two never overlap (functions/reaper.ts).
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The event pattern: an EC2 instance of this region reached `running` (a launch, or a start after a stop). */
const LAUNCH_PATTERN = {
  source: ['aws.ec2'],
  detailType: ['EC2 Instance State-change Notification'],
  detail: { state: ['running'] },
} as const satisfies events.EventPattern;

/** Props of {@link LaunchTrigger}. */
interface LaunchTriggerProps {
  /** The reaper Lambda (invoked asynchronously with the event). */
  readonly target: IFunction;
  /** Where events go when EventBridge cannot deliver them (throttled, function missing). */
  readonly deadLetterQueue: IQueue;
  /** How long EventBridge keeps retrying delivery: a launch older than a tick is covered by that tick. @default Duration.hours(1) */
  readonly maxEventAge?: Duration;
}

/** An EventBridge rule that starts a pass of the stack's region when an instance there starts running. */
class LaunchTrigger extends Construct {
  /** The EventBridge rule. */
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: LaunchTriggerProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'gpu-reaper: a pass of this region when an EC2 instance starts running (cost-gating, budgets)',
      eventPattern: {
        source: [...LAUNCH_PATTERN.source],
        detailType: [...LAUNCH_PATTERN.detailType],
        detail: { state: [...LAUNCH_PATTERN.detail.state] },
      },
      targets: [
        new targets.LambdaFunction(props.target, {
          deadLetterQueue: props.deadLetterQueue,
          maxEventAge: props.maxEventAge ?? Duration.hours(1),
          retryAttempts: 2,
        }),
      ],
    });
  }
}

export type { LaunchTriggerProps };
export { LAUNCH_PATTERN, LaunchTrigger };
