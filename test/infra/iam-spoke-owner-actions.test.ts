/**
 * Policy evaluation (iam-simulate) of the owner actions in member accounts, both ways: the hub's endpoint role may
 * assume the spoke role only in the organization; the spoke role trusts it only under the session name
 * `gpu-reaper-owner-action`, and that session may tag the snooze key (the approval key with gating, on an opted-out
 * instance too), remove the warned tag and stop an in-scope GPU instance, and nothing more: no terminate, no other
 * tag key, no telemetry, nothing on an opted-out instance. The worker's session gains nothing from it.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from './iam-simulation';
import { HUB_CONFIG, ORGANIZATION_ID, synthHub } from './synth-hub';

const HUB = '123456789012';
const MEMBER = '111111111111';
const REGION = 'us-east-1';
const WORKER_ROLE = `arn:aws:iam::${HUB}:role/GpuReaper-Worker`;
const ENDPOINT_ROLE = `arn:aws:iam::${HUB}:role/GpuReaper-OwnerActionsEndpoint`;
const ENDPOINT_SESSION = `arn:aws:sts::${HUB}:assumed-role/GpuReaper-OwnerActionsEndpoint/gpu-reaper-owner-action`;
const SPOKE = `arn:aws:iam::${MEMBER}:role/GpuReaperSpoke`;
const PARAMETERS = {
  HubWorkerRoleArn: WORKER_ROLE,
  HubEndpointRoleArn: ENDPOINT_ROLE,
  OrganizationId: ORGANIZATION_ID,
};
const instance = (id: string) => `arn:aws:ec2:${REGION}:${MEMBER}:instance/${id}`;
const gpu = { 'ec2:InstanceType': 'g5.xlarge', 'aws:ResourceTag/Purpose': 'transient-ml-training' };
const optedOut = { ...gpu, 'aws:ResourceTag/gpu-reaper:opt-out': 'true' };
/** `aws:userid` of a session of the spoke role: `<role id>:<session name>`. */
const endpointUser = { 'aws:userid': 'AROAEXAMPLESPOKE:gpu-reaper-owner-action' };
const workerUser = { 'aws:userid': 'AROAEXAMPLESPOKE:gpu-reaper' };

/** Resolves the intrinsics of a synthesized policy deployed in `account`. */
function resolver(account: string) {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': account };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    if (typeof object.Ref === 'string') {
      return (PARAMETERS as Record<string, string>)[object.Ref] ?? pseudo[object.Ref] ?? `arn:aws:sns:::${object.Ref}`;
    }
    if (Array.isArray(object['Fn::GetAtt'])) return `arn:aws:kms:${REGION}:${account}:key/${object['Fn::GetAtt'][0]}`;
    if (Array.isArray(object['Fn::Join'])) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    return Object.fromEntries(Object.entries(object).map(([key, entry]) => [key, resolve(entry)]));
  };
  return resolve;
}

/** The identity policy of the role whose logical id starts with `prefix`. */
function policyOf(template: Template, prefix: string, account: string): unknown {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(prefix));
  expect(policies).toHaveLength(1);
  return resolver(account)(policies[0]?.[1].Properties.PolicyDocument);
}

const trustOf = (template: Template) => {
  const role = Object.values(template.findResources('AWS::IAM::Role')).find(
    (resource) => resource.Properties.RoleName === 'GpuReaperSpoke',
  );
  return resolver(MEMBER)(role?.Properties.AssumeRolePolicyDocument);
};

describe("the hub's owner-action endpoint role", () => {
  let policy: unknown;
  beforeAll(() => {
    policy = policyOf(synthHub().hubTemplate, 'GpuReaperOwnerActionsEndpointRoleDefaultPolicy', HUB);
  });
  const assume = (role: string, orgId: string) =>
    simulate({
      principal: ENDPOINT_SESSION,
      action: 'sts:AssumeRole',
      resource: role,
      resourceAccount: role.split(':')[4] ?? MEMBER,
      identityPolicy: policy,
      resourcePolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: ENDPOINT_ROLE }, Action: 'sts:AssumeRole' }],
      },
      context: { 'aws:ResourceOrgID': orgId, 'aws:PrincipalOrgID': ORGANIZATION_ID },
    });

  it('may assume the spoke role of any account in the organization', async () => {
    expect(await assume(SPOKE, ORGANIZATION_ID)).toBe('Allowed');
    expect(await assume('arn:aws:iam::333333333333:role/GpuReaperSpoke', ORGANIZATION_ID)).toBe('Allowed');
  });

  it('may not assume another role name, nor the spoke role outside the organization', async () => {
    expect(await assume(`arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`, ORGANIZATION_ID)).not.toBe(
      'Allowed',
    );
    expect(await assume('arn:aws:iam::444444444444:role/GpuReaperSpoke', 'o-zzzzzzzzzz')).not.toBe('Allowed');
  });
});

describe('the spoke role for the owner actions', () => {
  let trust: unknown;
  let permissions: unknown;
  let gatedPermissions: unknown;
  let trustWithExternalId: unknown;
  beforeAll(() => {
    const { spokeTemplate } = synthHub();
    trust = trustOf(spokeTemplate);
    permissions = policyOf(spokeTemplate, 'SpokeRoleDefaultPolicy', MEMBER);
    const gating = { ...HUB_CONFIG, gating: { threshold: 500, approvers: ['ml-leads@example.com'] } };
    gatedPermissions = policyOf(synthHub({ config: gating }).spokeTemplate, 'SpokeRoleDefaultPolicy', MEMBER);
    const withExternalId = { ...HUB_CONFIG, accounts: { ...HUB_CONFIG.accounts, externalId: 'gpu-reaper-7f3a' } };
    trustWithExternalId = trustOf(synthHub({ config: withExternalId }).spokeTemplate);
  });

  const assumeSpoke = (principal: string, context: Record<string, string>, policy = trust) =>
    simulate({
      principal,
      action: 'sts:AssumeRole',
      resource: SPOKE,
      resourceAccount: MEMBER,
      identityPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
      },
      resourcePolicy: policy,
      context,
    });
  const inOrg = { 'aws:PrincipalOrgID': ORGANIZATION_ID, 'sts:RoleSessionName': 'gpu-reaper-owner-action' };

  it("trusts the hub's endpoint role within the organization, under the owner-action session name only", async () => {
    expect(await assumeSpoke(ENDPOINT_SESSION, inOrg)).toBe('Allowed');
    // Not under the worker's session name (whose session may do more), nor any other.
    expect(await assumeSpoke(ENDPOINT_SESSION, { ...inOrg, 'sts:RoleSessionName': 'gpu-reaper' })).not.toBe('Allowed');
    expect(await assumeSpoke(ENDPOINT_SESSION, { 'aws:PrincipalOrgID': ORGANIZATION_ID })).not.toBe('Allowed');
  });

  it('trusts no principal outside the organization, nor another role of the hub', async () => {
    expect(await assumeSpoke(ENDPOINT_SESSION, { ...inOrg, 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' })).not.toBe('Allowed');
    const stranger = 'arn:aws:sts::999999999999:assumed-role/GpuReaper-OwnerActionsEndpoint/gpu-reaper-owner-action';
    expect(await assumeSpoke(stranger, { ...inOrg, 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' })).not.toBe('Allowed');
    const admin = `arn:aws:sts::${HUB}:assumed-role/Admin/gpu-reaper-owner-action`;
    expect(await assumeSpoke(admin, inOrg)).not.toBe('Allowed');
  });

  it('requires the configured external id of the endpoint too', async () => {
    const withId = { ...inOrg, 'sts:ExternalId': 'gpu-reaper-7f3a' };
    expect(await assumeSpoke(ENDPOINT_SESSION, withId, trustWithExternalId)).toBe('Allowed');
    expect(await assumeSpoke(ENDPOINT_SESSION, inOrg, trustWithExternalId)).not.toBe('Allowed');
  });

  const can = (
    action: string,
    resource: string,
    context: Record<string, string | string[]>,
    policy = permissions,
    user = endpointUser,
  ) =>
    simulate({
      principal: `arn:aws:sts::${MEMBER}:assumed-role/GpuReaperSpoke/${user['aws:userid'].split(':')[1]}`,
      action,
      resource,
      resourceAccount: MEMBER,
      identityPolicy: policy,
      context: { ...user, ...context },
    });
  const tagging = (keys: string[], base: Record<string, string> = gpu) => ({ ...base, 'aws:TagKeys': keys });

  it("with the endpoint's session, may tag the snooze key, remove the warned tag and stop an in-scope GPU instance", async () => {
    expect(await can('ec2:CreateTags', instance('i-1'), tagging(['gpu-reaper:snooze-until']))).toBe('Allowed');
    expect(await can('ec2:DeleteTags', instance('i-1'), tagging(['gpu-reaper:warned']))).toBe('Allowed');
    expect(await can('ec2:StopInstances', instance('i-1'), gpu)).toBe('Allowed');
    expect(await can('ec2:DescribeInstances', '*', {})).toBe('Allowed');
  });

  it("with the endpoint's session, may not terminate, tag another key, or read telemetry", async () => {
    expect(await can('ec2:TerminateInstances', instance('i-2'), gpu)).toBe('ExplicitlyDenied');
    expect(await can('ec2:CreateTags', instance('i-2'), tagging(['gpu-reaper:warned']))).toBe('ExplicitlyDenied');
    expect(await can('ec2:CreateTags', instance('i-2'), tagging(['gpu-reaper:snooze-until', 'Name']))).toBe(
      'ExplicitlyDenied',
    );
    expect(await can('ec2:CreateTags', instance('i-2'), tagging(['gpu-reaper:approved-until']))).toBe(
      'ExplicitlyDenied',
    );
    expect(await can('cloudwatch:GetMetricData', '*', {})).toBe('ExplicitlyDenied');
    expect(await can('ec2:StopInstances', instance('i-2'), { ...gpu, 'ec2:InstanceType': 'm5.large' })).not.toBe(
      'Allowed',
    );
  });

  it("with the endpoint's session, may not touch an opted-out instance", async () => {
    expect(await can('ec2:CreateTags', instance('i-3'), tagging(['gpu-reaper:snooze-until'], optedOut))).toBe(
      'ExplicitlyDenied',
    );
    expect(await can('ec2:StopInstances', instance('i-3'), optedOut)).toBe('ExplicitlyDenied');
  });

  it("with gating, the endpoint's session may write the approval key, on an opted-out instance too, and nothing else there", async () => {
    const approval = ['gpu-reaper:approved-until'];
    expect(await can('ec2:CreateTags', instance('i-4'), tagging(approval), gatedPermissions)).toBe('Allowed');
    expect(await can('ec2:CreateTags', instance('i-4'), tagging(approval, optedOut), gatedPermissions)).toBe('Allowed');
    expect(
      await can('ec2:CreateTags', instance('i-4'), tagging(['gpu-reaper:snooze-until'], optedOut), gatedPermissions),
    ).toBe('ExplicitlyDenied');
    expect(await can('ec2:StopInstances', instance('i-4'), optedOut, gatedPermissions)).toBe('ExplicitlyDenied');
    expect(await can('ec2:TerminateInstances', instance('i-4'), gpu, gatedPermissions)).toBe('ExplicitlyDenied');
  });

  it("gives the worker's session nothing of it: no snooze or approval tag, its own grants unchanged", async () => {
    const asWorker = (action: string, context: Record<string, string | string[]>, policy = permissions) =>
      can(action, instance('i-5'), context, policy, workerUser);
    expect(await asWorker('ec2:CreateTags', tagging(['gpu-reaper:snooze-until']))).toBe('ImplicitlyDenied');
    expect(await asWorker('ec2:CreateTags', tagging(['gpu-reaper:approved-until']), gatedPermissions)).not.toBe(
      'Allowed',
    );
    expect(await asWorker('ec2:CreateTags', tagging(['gpu-reaper:warned']))).toBe('Allowed');
    expect(await asWorker('ec2:TerminateInstances', gpu)).toBe('Allowed');
    expect(await can('cloudwatch:GetMetricData', '*', {}, permissions, workerUser)).toBe('Allowed');
  });
});
