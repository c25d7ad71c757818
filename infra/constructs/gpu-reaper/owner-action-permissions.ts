/**
 * What an owner's (or an approver's) answer may do to EC2, written once for both places it is granted: the hub's
 * endpoint role in its own account, and a member account's spoke role for the endpoint's session. The reaper's
 * own guards (permissions.ts), narrowed to the owner actions: read what the re-checks read, remove the warned tag,
 * write the snooze tag (and, with `gating` or `budgets`, the approval tag), stop a GPU instance in scope (in
 * `enforce` only), never terminate, never touch an opted-out instance (but for the approval key: an owner cannot
 * opt out of the approval, and an approval only ever keeps an instance running).
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { approvalTagKey, onlyApprovalTag } from './approval-policy';
import {
  type Ec2PermissionOptions,
  ec2PolicyStatements,
  instanceArns,
  READ_ACTIONS,
  reaperTagKeys,
  scopeCondition,
} from './permissions';

/** What the owner actions' grants depend on: the reaper's EC2 options (never terminate), and whether approvals count. */
interface OwnerActionPermissionOptions extends Omit<Ec2PermissionOptions, 'mayTerminate' | 'approvalTag'> {
  /** `gating` or `budgets` set: approvers answer too (the approval key, on an opted-out instance as well). */
  readonly approvals: boolean;
}

/** The snooze tag's key, derived from the prefix as the engine derives it. */
const snoozeTagKey = (tagPrefix: string) => `${tagPrefix}snooze-until`;

/**
 * The EC2 statements of an owner's answer: the reaper's guards, narrowed to what the answer does.
 *
 * @example ownerActionEc2Statements(role, { ...ec2Options, approvals: config.gating !== null })
 */
function ownerActionEc2Statements(scope: Construct, options: OwnerActionPermissionOptions): iam.PolicyStatement[] {
  // The endpoint stops; it never terminates (none of the reaper's statements reused below grants it).
  const reaper = new Map(
    ec2PolicyStatements(scope, { ...options, mayTerminate: false }).map((statement) => [statement.sid, statement]),
  );
  // The reaper's own statements, reused as they are: protection reads, the warned-tag removal, the opt-out deny.
  const reused = ['ReadProtection', 'ClearWarnedMarkInScope', 'NeverTouchOptedOutInstances'].map((sid) => {
    const statement = reaper.get(sid);
    if (!statement) throw new Error(`permissions.ts no longer has the statement ${sid}`);
    return statement;
  });
  const instances = instanceArns(scope, options.regions);
  const scoped = Object.keys(options.scopeTags).length > 0 ? { StringEquals: scopeCondition(options.scopeTags) } : {};
  const gpu = { StringLike: { 'ec2:InstanceType': [...options.gpuInstanceTypes] } };
  return [
    new iam.PolicyStatement({
      sid: 'ReadInstancesForRechecks',
      actions: READ_ACTIONS.filter((action) => action.startsWith('ec2:')),
      resources: ['*'],
    }),
    ...(options.approvals
      ? reused.flatMap((statement) => approvableWhenOptedOut(statement, options.tagPrefix))
      : reused),
    // Dry run: the owner's stop is recorded as WOULD_STOP and never called, so no grant at all.
    ...(options.mayStop
      ? [
          new iam.PolicyStatement({
            sid: 'StopGpuInstancesInScope',
            actions: ['ec2:StopInstances'],
            resources: instances,
            conditions: { ...gpu, ...scoped },
          }),
        ]
      : []),
    new iam.PolicyStatement({
      sid: 'WriteSnoozeTagOnGpuInstancesInScope',
      actions: ['ec2:CreateTags'],
      resources: instances,
      conditions: {
        ...gpu,
        ...scoped,
        // ForAllValues alone holds for an empty key list: require keys too (as for the reaper's warned tag).
        'ForAllValues:StringEquals': { 'aws:TagKeys': [snoozeTagKey(options.tagPrefix)] },
        Null: { 'aws:TagKeys': 'false' },
      },
    }),
    // An approver's one-click link: the approval key only, with the snooze grant's guards.
    ...(options.approvals
      ? [
          new iam.PolicyStatement({
            sid: 'WriteApprovalTagOnGpuInstancesInScope',
            actions: ['ec2:CreateTags'],
            resources: instances,
            conditions: { ...gpu, ...scoped, ...onlyApprovalTag(options.tagPrefix) },
          }),
        ]
      : []),
  ];
}

/**
 * The opt-out deny, with the approval key let through (gating or budgets only): the approval comes before the
 * opt-out, so an approver approves an opted-out instance too. Stop and terminate stay denied, and so does every tag
 * write that names any key but the approval key; other statements pass as they are.
 */
function approvableWhenOptedOut(statement: iam.PolicyStatement, tagPrefix: string): iam.PolicyStatement[] {
  if (statement.sid !== 'NeverTouchOptedOutInstances') return [statement];
  const json = statement.toStatementJson() as { Action: string | string[]; Resource: string | string[] };
  const optOut = `aws:ResourceTag/${reaperTagKeys(tagPrefix).optOut}`;
  // As in the reaper's deny: the tag must exist and not be "false" (a negated operator also matches a missing tag).
  const optedOut = { StringNotEqualsIgnoreCase: { [optOut]: 'false' }, Null: { [optOut]: 'false' } };
  const resources = [json.Resource].flat();
  return [
    new iam.PolicyStatement({
      sid: 'NeverTouchOptedOutInstances',
      effect: iam.Effect.DENY,
      actions: [json.Action].flat().filter((action) => action !== 'ec2:CreateTags'),
      resources,
      conditions: optedOut,
    }),
    new iam.PolicyStatement({
      sid: 'NeverTagOptedOutInstancesButApproval',
      effect: iam.Effect.DENY,
      actions: ['ec2:CreateTags'],
      resources,
      conditions: {
        ...optedOut,
        'ForAnyValue:StringNotEquals': { 'aws:TagKeys': [approvalTagKey(tagPrefix)] },
      },
    }),
  ];
}

/**
 * The tag keys an owner's answer writes: the snooze key, and the approval key when approvals count. A session
 * that answers owners writes no other key (the spoke role denies the rest to the endpoint's session).
 */
function ownerTagKeys(tagPrefix: string, approvals: boolean): string[] {
  return [snoozeTagKey(tagPrefix), ...(approvals ? [approvalTagKey(tagPrefix)] : [])];
}

export type { OwnerActionPermissionOptions };
export { approvableWhenOptedOut, ownerActionEc2Statements, ownerTagKeys };
