/**
 * The spoke stack (`GpuReaperSpoke`): the role the hub's worker assumes in a member account. Deployed alone
 * (`cdk deploy GpuReaperSpoke` with the hub worker role's ARN and the organization id), or rolled out by the hub as
 * a service-managed StackSet whose template is this stack's, synthesized by {@link spokeTemplateBody}.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnOutput, CfnParameter, DefaultStackSynthesizer, Stack, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { Config } from '../../shared/config';
import { LaunchForwarding } from '../constructs/gpu-reaper/launch-forwarding';
import { SpokeRole, spokeApprovals, spokePermissions } from '../constructs/gpu-reaper/spoke-role';
import { SpokeParameter } from '../constructs/gpu-reaper/spoke-stack-set';

/** Props of {@link GpuReaperSpokeStack}. */
interface GpuReaperSpokeStackProps extends StackProps {
  /** The validated config; `accounts` names the role and the external id. */
  readonly config: Config;
  /** Default of the `HubWorkerRoleArn` parameter (the hub's `WorkerRoleArn` output). @default none: pass it at deploy */
  readonly hubWorkerRoleArn?: string;
  /** Default of the `HubEventBusArn` parameter (the hub's `LaunchEventBusArn` output). @default none: pass it at deploy */
  readonly hubEventBusArn?: string;
  /**
   * The hub has the owner-action endpoint: the role trusts its role too (parameter `HubEndpointRoleArn`), for the
   * owner actions of member accounts' links only. @default true
   */
  readonly ownerActions?: boolean;
  /** Default of the `HubEndpointRoleArn` parameter (the hub's `OwnerActionRoleArn` output). @default none */
  readonly hubEndpointRoleArn?: string;
  /** Default of the `OrganizationId` parameter. @default none: pass it at deploy */
  readonly organizationId?: string;
  /** `ec2:InstanceType` patterns the role may stop, terminate and tag. @default from `scope.accelerators` */
  readonly gpuInstanceTypes?: readonly string[];
}

/** The spoke stack. */
class GpuReaperSpokeStack extends Stack {
  /** The role the hub's worker assumes. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GpuReaperSpokeStackProps) {
    super(scope, id, {
      description: 'gpu-reaper spoke: the role the hub worker assumes to run passes in this account',
      // No bootstrap version rule: the stack set deploys this template to accounts that were never bootstrapped.
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      ...props,
    });
    const accounts = props.config.accounts;
    const hubWorkerRoleArn = new CfnParameter(this, SpokeParameter.hubWorkerRoleArn, {
      type: 'String',
      description: 'ARN of the gpu-reaper hub worker role (the hub stack output WorkerRoleArn)',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$',
      default: props.hubWorkerRoleArn,
    });
    const organizationId = new CfnParameter(this, SpokeParameter.organizationId, {
      type: 'String',
      description: 'The AWS Organizations id (o-xxxxxxxxxx) of the hub and this account',
      allowedPattern: '^o-[a-z0-9]{10,32}$',
      default: props.organizationId,
    });
    const hubEndpointRoleArn =
      props.ownerActions === false
        ? undefined
        : new CfnParameter(this, SpokeParameter.hubEndpointRoleArn, {
            type: 'String',
            description:
              'ARN of the gpu-reaper hub owner-action endpoint role (the hub stack output OwnerActionRoleArn)',
            allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$',
            default: props.hubEndpointRoleArn,
          });
    this.role = new SpokeRole(this, 'Spoke', {
      roleName: accounts?.roleName ?? 'GpuReaperSpoke',
      hubWorkerRoleArn: hubWorkerRoleArn.valueAsString,
      organizationId: organizationId.valueAsString,
      externalId: accounts?.externalId,
      permissions: spokePermissions(props.config, props.gpuInstanceTypes),
      ...(hubEndpointRoleArn
        ? {
            ownerActions: {
              hubEndpointRoleArn: hubEndpointRoleArn.valueAsString,
              approvals: spokeApprovals(props.config),
            },
          }
        : {}),
    }).role;
    new CfnOutput(this, 'RoleArn', { value: this.role.roleArn, description: 'assumed by the hub worker' });
    // A launch here wakes this account × Region at the hub at once (it is otherwise passed hourly when quiet).
    new LaunchForwarding(this, 'LaunchForwarding', { hubEventBusArn: props.hubEventBusArn });
  }
}

/**
 * The spoke stack's template as the stack set deploys it: synthesized in an app of its own (no environment, so
 * every account and region is a pseudo parameter) with the context (feature flags) of `scope`'s app.
 */
function spokeTemplateBody(scope: Construct, props: Omit<GpuReaperSpokeStackProps, 'env'>): string {
  const outdir = mkdtempSync(join(tmpdir(), 'gpu-reaper-spoke-'));
  try {
    const app = new App({ outdir, context: Stack.of(scope).node.getAllContext() as Record<string, unknown> });
    const stack = new GpuReaperSpokeStack(app, 'GpuReaperSpoke', {
      ...props,
      hubWorkerRoleArn: undefined,
      organizationId: undefined,
      hubEventBusArn: undefined,
      hubEndpointRoleArn: undefined,
    });
    return JSON.stringify(app.synth().getStackArtifact(stack.artifactId).template);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export type { GpuReaperSpokeStackProps };
export { GpuReaperSpokeStack, spokeTemplateBody };
