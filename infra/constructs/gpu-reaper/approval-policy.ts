/**
 * The approvers' managed policy of cost-gating: what a person (or role) needs to approve an expensive run by hand,
 * and nothing more. It writes and removes one tag key, `<tagPrefix>approved-until`, on GPU instances of the
 * configured regions, and reads the fleet to find them. The stack exports it; admins attach it to their approvers'
 * role or group, and an SCP (docs/cost-gating.md) keeps every other principal of the organization from writing that
 * key, at launch included. The reaper's own role never gets it (it writes its `warned` tag only), and the owner-action
 * endpoint writes it only for a signed, single-use approver link.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { EC2_INSTANCES_FINDING } from './nag-findings';
import { instanceArns } from './permissions';

/**
 * The approval tag's key, derived from the prefix as the engine derives it.
 *
 * @example approvalTagKey('gpu-reaper:') // 'gpu-reaper:approved-until'
 */
function approvalTagKey(tagPrefix: string): string {
  return `${tagPrefix}approved-until`;
}

/**
 * `aws:TagKeys` naming exactly the approval key. ForAllValues alone holds for an empty key list (DeleteTags with no
 * keys removes every tag), hence the Null check: keys must be given, and all of them must be the approval key.
 */
function onlyApprovalTag(tagPrefix: string): Record<string, Record<string, string | string[]>> {
  return {
    'ForAllValues:StringEquals': { 'aws:TagKeys': [approvalTagKey(tagPrefix)] },
    Null: { 'aws:TagKeys': 'false' },
  };
}

/** Props of {@link createApproverPolicy}. */
interface ApproverPolicyProps {
  /** Regions the reaper scans; empty means the stack's own region. */
  readonly regions: readonly string[];
  /** The reaper's tag prefix (`gpu-reaper:`). */
  readonly tagPrefix: string;
  /** `ec2:InstanceType` patterns of the accelerated families (the reaper's). */
  readonly gpuInstanceTypes: readonly string[];
}

/** The approvers' statements: read the fleet, write and remove the approval key on GPU instances only. */
function approverStatements(scope: Construct, props: ApproverPolicyProps): iam.PolicyStatement[] {
  return [
    // DescribeInstances supports no resource narrower than "*".
    new iam.PolicyStatement({ sid: 'FindGpuInstances', actions: ['ec2:DescribeInstances'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'ApproveOrRevokeGpuInstances',
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: instanceArns(scope, props.regions),
      conditions: {
        StringLike: { 'ec2:InstanceType': [...props.gpuInstanceTypes] },
        ...onlyApprovalTag(props.tagPrefix),
      },
    }),
  ];
}

/**
 * The approvers' managed policy, with its cdk-nag acknowledgement beside it.
 *
 * @example
 * const policy = createApproverPolicy(this, 'ApproverPolicy', { regions: [], tagPrefix: 'gpu-reaper:', gpuInstanceTypes: ['g*.*'] });
 * policy.attachToRole(approversRole);
 */
function createApproverPolicy(scope: Construct, id: string, props: ApproverPolicyProps): iam.ManagedPolicy {
  const policy = new iam.ManagedPolicy(scope, id, {
    description:
      `gpu-reaper: approve an expensive GPU run by writing ${approvalTagKey(props.tagPrefix)} (attach to the ` +
      'approvers only)',
    statements: approverStatements(scope, props),
  });
  NagSuppressions.addResourceSuppressions(policy, [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'ec2:DescribeInstances supports no resource narrower than "*"; the tag writes are on instance/* because ' +
        'instance IDs are unknown at deploy, narrowed by conditions (GPU instance type, the approval tag key only).',
      appliesTo: ['Resource::*', EC2_INSTANCES_FINDING],
    },
  ]);
  return policy;
}

export type { ApproverPolicyProps };
export { approvalTagKey, approverStatements, createApproverPolicy, onlyApprovalTag };
