/**
 * The hub's end of the wake-up: an event bus that the member accounts' spokes forward their EC2 `running` events
 * to, open to `events:PutEvents` from the organization only (`aws:PrincipalOrgID`), and a rule on it that hands
 * each event to the dispatcher, which enqueues that one target (a quiet one is otherwise passed only every
 * `accounts.quietTargetEvery`).
 */
import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The events a spoke forwards and the hub's rule matches: an instance entering `running`. */
const LAUNCH_EVENT_PATTERN = {
  source: ['aws.ec2'],
  detailType: ['EC2 Instance State-change Notification'],
  detail: { state: ['running'] },
} as const satisfies events.EventPattern;

/** Props of {@link LaunchWake}. */
interface LaunchWakeProps {
  /** The organization (`o-…`) whose accounts may put events on the bus. */
  readonly organizationId: string;
  /** The dispatcher: it enqueues the target of each event. */
  readonly dispatcher: lambda.IFunction;
  /** Where events the dispatcher could not take go. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Oldest event still worth handling (a later tick passes the target anyway). @default Duration.hours(1) */
  readonly maxEventAge?: Duration;
}

/**
 * The launch bus, its organization-scoped policy and the rule that wakes a target.
 *
 * @example new LaunchWake(fanOut, 'LaunchWake', { organizationId: 'o-a1b2c3d4e5', dispatcher, deadLetterQueue });
 */
class LaunchWake extends Construct {
  /** The bus the spokes forward to (its ARN is the spoke's `HubEventBusArn`). */
  readonly bus: events.EventBus;
  /** The rule on the bus that invokes the dispatcher. */
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: LaunchWakeProps) {
    super(scope, id);
    // Named after the stack, so the policy can name the bus without a reference to itself.
    const eventBusName = `${Aws.STACK_NAME}-launches`;
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName,
      description: 'gpu-reaper: EC2 running events forwarded by the spokes of the organization',
    });
    // Any principal of the organization, none outside it: the spokes' forwarding roles are created per account.
    // Set on the bus itself (its `Policy`), not as an EventBusPolicy resource, whose deprecated `principal`
    // cdk-nag reads on every synth.
    (this.bus.node.defaultChild as events.CfnEventBus).policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'OrganizationSpokesPutEvents',
          principals: [new iam.AnyPrincipal()],
          actions: ['events:PutEvents'],
          resources: [
            Stack.of(this).formatArn({
              service: 'events',
              resource: 'event-bus',
              resourceName: eventBusName,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
        }),
      ],
    }).toJSON();
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: this.bus,
      description: 'gpu-reaper: a GPU instance may have started in a quiet target: enqueue that target',
      eventPattern: LAUNCH_EVENT_PATTERN,
      targets: [
        new targets.LambdaFunction(props.dispatcher, {
          deadLetterQueue: props.deadLetterQueue,
          maxEventAge: props.maxEventAge ?? Duration.hours(1),
          retryAttempts: 2,
        }),
      ],
    });
  }
}

export type { LaunchWakeProps };
export { LAUNCH_EVENT_PATTERN, LaunchWake };
