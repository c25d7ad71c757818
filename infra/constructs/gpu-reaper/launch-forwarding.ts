/**
 * The spoke's end of the wake-up: a rule on the member account's default event bus that forwards its EC2
 * `running` events to the hub's launch bus (cross-account, and cross-Region when the spoke's Region is not the
 * hub's), through a role only EventBridge may assume and that may only put events on that bus.
 *
 * EC2 events stay in their Region, so the spoke template is deployed in every Region the hub covers; the spoke
 * role is global and named, so it must exist once: in a Region other than `RoleRegion`, every resource and output
 * of the template but this rule and its role is left out by a condition (an aspect applies it, so the role's
 * constructs need not know of it). With `RoleRegion` empty (a spoke deployed alone) everything is created.
 */
import { Aspects, CfnCondition, CfnOutput, CfnParameter, CfnResource, Fn, type IAspect, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { LAUNCH_EVENT_PATTERN } from './launch-wake';

/** The parameters of the spoke template this construct adds. */
const LaunchForwardingParameter = {
  /** The hub's launch bus (the hub stack output `LaunchEventBusArn`). */
  hubEventBusArn: 'HubEventBusArn',
  /** The one Region where the spoke's global resources (the role) are created; empty: this Region. */
  roleRegion: 'RoleRegion',
} as const;

/** Props of {@link LaunchForwarding}. */
interface LaunchForwardingProps {
  /** Default of the `HubEventBusArn` parameter. @default none: pass it at deploy */
  readonly hubEventBusArn?: string;
}

/** Leaves every resource and output outside `keep` out of the template where `condition` is false. */
class OnlyWhere implements IAspect {
  constructor(
    private readonly condition: CfnCondition,
    private readonly keep: IConstruct,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource || node instanceof CfnOutput)) return;
    if (node.node.scopes.includes(this.keep)) return;
    if (node instanceof CfnResource) node.cfnOptions.condition ??= this.condition;
    else node.condition ??= this.condition;
  }
}

/**
 * The forwarding rule, its role, and the condition that keeps the spoke's global resources in one Region.
 *
 * @example new LaunchForwarding(spokeStack, 'LaunchForwarding', { hubEventBusArn });
 */
class LaunchForwarding extends Construct {
  /** The rule on the default bus. */
  readonly rule: events.Rule;
  /** The role EventBridge uses to put events on the hub's bus. */
  readonly role: iam.Role;
  /** True in the Region where the spoke's global resources are created. */
  readonly inRoleRegion: CfnCondition;

  constructor(scope: Construct, id: string, props: LaunchForwardingProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const busArn = new CfnParameter(stack, LaunchForwardingParameter.hubEventBusArn, {
      type: 'String',
      description: 'ARN of the gpu-reaper hub launch event bus (the hub stack output LaunchEventBusArn)',
      allowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/[\\w.-]+$',
      default: props.hubEventBusArn,
    });
    const roleRegion = new CfnParameter(stack, LaunchForwardingParameter.roleRegion, {
      type: 'String',
      description: 'The Region where the spoke role is created (the stack set passes the hub Region); empty: this one',
      allowedPattern: '^([a-z]{2}(-[a-z]+)+-\\d+)?$',
      default: '',
    });
    this.inRoleRegion = new CfnCondition(stack, 'InRoleRegion', {
      expression: Fn.conditionOr(
        Fn.conditionEquals(roleRegion.valueAsString, ''),
        Fn.conditionEquals(roleRegion.valueAsString, stack.region),
      ),
    });
    const bus = events.EventBus.fromEventBusArn(this, 'HubBus', busArn.valueAsString);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'gpu-reaper: forwards EC2 running events to the hub launch bus',
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'gpu-reaper: an instance started here; tell the hub (it passes this account and Region at once)',
      eventPattern: LAUNCH_EVENT_PATTERN,
      targets: [new targets.EventBus(bus, { role: this.role })],
    });
    // At synth, so it reaches the resources added to the stack after this construct too.
    Aspects.of(stack).add(new OnlyWhere(this.inRoleRegion, this));
  }
}

export type { LaunchForwardingProps };
export { LaunchForwarding, LaunchForwardingParameter };
