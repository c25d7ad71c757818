/**
 * The spoke rolled out by the hub: a service-managed CloudFormation StackSet whose template is the spoke stack's
 * synthesized template, auto-deployed to every account of the configured OUs (and to accounts that join them
 * later), in every Region the hub covers: the launch-forwarding rule is regional (EC2 events stay in their
 * Region), while the role is global and is created only in the stack instance of `RoleRegion`.
 */
import { Aws, CfnStackSet } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The spoke template's parameters, filled in by the stack set (or by `cdk deploy GpuReaperSpoke`). */
const SpokeParameter = {
  /** The hub worker role's ARN, the one principal the spoke role trusts. */
  hubWorkerRoleArn: 'HubWorkerRoleArn',
  /** The organization (`o-…`) the worker must belong to. */
  organizationId: 'OrganizationId',
  /** The hub's owner-action endpoint role, trusted for the owner actions of links (when the hub has it). */
  hubEndpointRoleArn: 'HubEndpointRoleArn',
  /** The hub's launch bus, where each Region's EC2 running events are forwarded. */
  hubEventBusArn: 'HubEventBusArn',
  /** The one Region whose stack instance creates the (global) role. */
  roleRegion: 'RoleRegion',
} as const;

/** Props of {@link SpokeStackSet}. */
interface SpokeStackSetProps {
  /** The spoke stack's synthesized template, as JSON (at most 51,200 bytes: a role and its policy). */
  readonly templateBody: string;
  /** The hub worker role's ARN. */
  readonly hubWorkerRoleArn: string;
  /** The organization id (`o-…`). */
  readonly organizationId: string;
  /**
   * The hub's owner-action endpoint role ARN: the template (synthesized with owner actions) trusts it too.
   * @default none: the hub has no endpoint, and the template no `HubEndpointRoleArn` parameter
   */
  readonly hubEndpointRoleArn?: string;
  /** The hub's launch bus ARN. */
  readonly hubEventBusArn: string;
  /**
   * Regions to deploy to (each forwards its launches); the role is created in the first.
   * @default the hub's Region
   */
  readonly regions?: readonly string[];
  /** OU or root ids (`ou-…`, `r-…`) to deploy to, child OUs included. */
  readonly organizationalUnitIds: readonly string[];
  /** Accounts of those OUs that get no spoke (`accounts.exclude`). @default none */
  readonly excludeAccounts?: readonly string[];
  /** Name of the stack set. @default `${stackName}-spoke` */
  readonly stackSetName?: string;
  /**
   * Whether the hub deploys as the organization's management account (`SELF`) or as a delegated administrator for
   * StackSets (`DELEGATED_ADMIN`).
   * @default 'SELF'
   */
  readonly callAs?: 'SELF' | 'DELEGATED_ADMIN';
}

/**
 * A service-managed, auto-deploying stack set of the spoke role.
 *
 * @example
 * new SpokeStackSet(hub, 'SpokeStackSet', { templateBody, hubWorkerRoleArn: worker.role.roleArn,
 *   organizationId: 'o-a1b2c3d4e5', hubEventBusArn: bus.eventBusArn, organizationalUnitIds: ['ou-ab12-34cd56ef'] });
 */
class SpokeStackSet extends Construct {
  /** The stack set. */
  readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: SpokeStackSetProps) {
    super(scope, id);
    const exclude = props.excludeAccounts ?? [];
    const regions = props.regions && props.regions.length > 0 ? [...props.regions] : [Aws.REGION];
    this.stackSet = new CfnStackSet(this, 'StackSet', {
      stackSetName: props.stackSetName ?? `${Aws.STACK_NAME}-spoke`,
      description: 'gpu-reaper spoke: the role the hub worker assumes in each member account',
      permissionModel: 'SERVICE_MANAGED',
      // New accounts of the OUs get the role; a removed account loses it with its stack instance.
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: props.callAs ?? 'SELF',
      // The role has a fixed name (the worker assumes it by name in every account).
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        // Member accounts are independent: roll out widely, and one account's failure stops no other.
        maxConcurrentPercentage: 100,
        failureTolerancePercentage: 100,
        regionConcurrencyType: 'PARALLEL',
      },
      parameters: [
        { parameterKey: SpokeParameter.hubWorkerRoleArn, parameterValue: props.hubWorkerRoleArn },
        { parameterKey: SpokeParameter.organizationId, parameterValue: props.organizationId },
        ...(props.hubEndpointRoleArn
          ? [{ parameterKey: SpokeParameter.hubEndpointRoleArn, parameterValue: props.hubEndpointRoleArn }]
          : []),
        { parameterKey: SpokeParameter.hubEventBusArn, parameterValue: props.hubEventBusArn },
        { parameterKey: SpokeParameter.roleRegion, parameterValue: regions[0] ?? Aws.REGION },
      ],
      stackInstancesGroup: [
        {
          deploymentTargets: {
            organizationalUnitIds: [...props.organizationalUnitIds],
            ...(exclude.length > 0 ? { accounts: [...exclude], accountFilterType: 'DIFFERENCE' } : {}),
          },
          regions,
        },
      ],
      templateBody: props.templateBody,
    });
  }
}

export type { SpokeStackSetProps };
export { SpokeParameter, SpokeStackSet };
