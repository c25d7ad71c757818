/**
 * Policy evaluation (iam-simulate, the AWS evaluation logic) of the roles that reach member accounts: the hub
 * worker may assume only the spoke role name and only in the organization; the spoke role trusts only the worker
 * role within the organization (and the external id when set) and may do what the reaper role may do, opt-out deny
 * included. moto's AssumeRole succeeds for any role, so only these simulations catch a trust-policy mistake.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from './iam-simulation';
import { HUB_CONFIG, ORGANIZATION_ID, OU, synthHub } from './synth-hub';

const HUB = '123456789012';
const MEMBER = '111111111111';
const REGION = 'us-east-1';
const WORKER_ROLE = `arn:aws:iam::${HUB}:role/GpuReaper-Worker`;
const WORKER_SESSION = `arn:aws:sts::${HUB}:assumed-role/GpuReaper-Worker/target-pass`;
const spokeRole = (account = MEMBER, name = 'GpuReaperSpoke') => `arn:aws:iam::${account}:role/${name}`;
const instance = (id: string) => `arn:aws:ec2:${REGION}:${MEMBER}:instance/${id}`;

/** Resolves the intrinsics of a synthesized policy; `account` is the account the stack is deployed in. */
function resolver(account: string, parameters: Record<string, string> = {}) {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': account };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    if (typeof object.Ref === 'string') {
      return parameters[object.Ref] ?? pseudo[object.Ref] ?? `arn:aws:sns:${REGION}:${account}:${object.Ref}`;
    }
    if (Array.isArray(object['Fn::GetAtt'])) {
      const [logicalId] = object['Fn::GetAtt'] as string[];
      return `arn:aws:dynamodb:${REGION}:${account}:table/${logicalId}`;
    }
    if (Array.isArray(object['Fn::Join'])) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    return Object.fromEntries(Object.entries(object).map(([key, entry]) => [key, resolve(entry)]));
  };
  return resolve;
}

/** The identity policy attached to the role whose logical id starts with `prefix`. */
function identityPolicy(template: Template, prefix: string, resolve: (value: unknown) => unknown): unknown {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(prefix));
  expect(policies).toHaveLength(1);
  return resolve(policies[0]?.[1].Properties.PolicyDocument);
}

describe('the hub worker role', () => {
  let workerPolicy: unknown;
  beforeAll(() => {
    const { hubTemplate } = synthHub();
    workerPolicy = identityPolicy(hubTemplate, 'GpuReaperFanOutWorkerRoleDefaultPolicy', resolver(HUB));
  });
  const assume = (role: string, orgId: string) =>
    simulate({
      principal: WORKER_SESSION,
      action: 'sts:AssumeRole',
      resource: role,
      resourceAccount: role.split(':')[4] ?? MEMBER,
      identityPolicy: workerPolicy,
      // An allow-all trust policy: this checks the worker's own side only.
      resourcePolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: WORKER_ROLE }, Action: 'sts:AssumeRole' }],
      },
      context: { 'aws:ResourceOrgID': orgId, 'aws:PrincipalOrgID': ORGANIZATION_ID },
    });

  it('may assume the spoke role in any account of the organization', async () => {
    expect(await assume(spokeRole(MEMBER), ORGANIZATION_ID)).toBe('Allowed');
    expect(await assume(spokeRole('333333333333'), ORGANIZATION_ID)).toBe('Allowed');
  });

  it('may not assume another role name, even in the organization', async () => {
    expect(await assume(spokeRole(MEMBER, 'OrganizationAccountAccessRole'), ORGANIZATION_ID)).not.toBe('Allowed');
    expect(await assume(spokeRole(MEMBER, 'GpuReaperSpokeAdmin'), ORGANIZATION_ID)).not.toBe('Allowed');
  });

  it('may not assume the spoke role name in an account outside the organization', async () => {
    expect(await assume(spokeRole('444444444444'), 'o-zzzzzzzzzz')).not.toBe('Allowed');
  });

  it('cannot touch EC2 in the hub itself', async () => {
    const stop = await simulate({
      principal: WORKER_SESSION,
      action: 'ec2:StopInstances',
      resource: `arn:aws:ec2:${REGION}:${HUB}:instance/i-1`,
      resourceAccount: HUB,
      identityPolicy: workerPolicy,
      context: { 'ec2:InstanceType': 'g5.xlarge' },
    });
    expect(stop).toBe('ImplicitlyDenied');
  });
});

describe('the spoke role', () => {
  let trust: unknown;
  let permissions: unknown;
  let trustWithExternalId: unknown;
  let dryRunPermissions: unknown;
  const parameters = { HubWorkerRoleArn: WORKER_ROLE, OrganizationId: ORGANIZATION_ID };
  const trustOf = (template: Template) => {
    const [role] = Object.values(template.findResources('AWS::IAM::Role'));
    return resolver(MEMBER, parameters)(role?.Properties.AssumeRolePolicyDocument);
  };
  beforeAll(() => {
    const { spokeTemplate } = synthHub();
    trust = trustOf(spokeTemplate);
    permissions = identityPolicy(spokeTemplate, 'SpokeRoleDefaultPolicy', resolver(MEMBER, parameters));
    const withExternalId = { ...HUB_CONFIG, accounts: { ...HUB_CONFIG.accounts, externalId: 'gpu-reaper-7f3a' } };
    trustWithExternalId = trustOf(synthHub({ config: withExternalId }).spokeTemplate);
    const dryRun = { ...HUB_CONFIG, accounts: { organization: { ous: [] }, ids: [MEMBER] } };
    dryRunPermissions = identityPolicy(
      synthHub({ config: dryRun, stack: { spokeStackSet: false } }).spokeTemplate,
      'SpokeRoleDefaultPolicy',
      resolver(MEMBER, parameters),
    );
  });

  const assumeSpoke = (principal: string, orgId: string, policy = trust, extra: Record<string, string> = {}) =>
    simulate({
      principal,
      action: 'sts:AssumeRole',
      resource: spokeRole(),
      resourceAccount: MEMBER,
      identityPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
      },
      resourcePolicy: policy,
      context: { 'aws:PrincipalOrgID': orgId, ...extra },
    });

  it('trusts the hub worker role within the organization', async () => {
    expect(await assumeSpoke(WORKER_SESSION, ORGANIZATION_ID)).toBe('Allowed');
  });

  it('trusts no other role of the hub account, and no other account', async () => {
    expect(await assumeSpoke(`arn:aws:sts::${HUB}:assumed-role/Admin/someone`, ORGANIZATION_ID)).not.toBe('Allowed');
    expect(await assumeSpoke(`arn:aws:sts::999999999999:assumed-role/GpuReaper-Worker/x`, ORGANIZATION_ID)).not.toBe(
      'Allowed',
    );
  });

  it('refuses the worker role once its account is outside the organization', async () => {
    expect(await assumeSpoke(WORKER_SESSION, 'o-zzzzzzzzzz')).not.toBe('Allowed');
  });

  it('requires the configured external id', async () => {
    const withId = { 'sts:ExternalId': 'gpu-reaper-7f3a' };
    expect(await assumeSpoke(WORKER_SESSION, ORGANIZATION_ID, trustWithExternalId, withId)).toBe('Allowed');
    expect(await assumeSpoke(WORKER_SESSION, ORGANIZATION_ID, trustWithExternalId)).not.toBe('Allowed');
    const wrong = { 'sts:ExternalId': 'guess' };
    expect(await assumeSpoke(WORKER_SESSION, ORGANIZATION_ID, trustWithExternalId, wrong)).not.toBe('Allowed');
  });

  const can = (
    action: string,
    resource: string,
    context: Record<string, string | string[]> = {},
    policy = permissions,
  ) =>
    simulate({
      principal: `arn:aws:sts::${MEMBER}:assumed-role/GpuReaperSpoke/target-pass`,
      action,
      resource,
      resourceAccount: MEMBER,
      identityPolicy: policy,
      context,
    });
  const gpu = { 'ec2:InstanceType': 'g5.xlarge', 'aws:ResourceTag/Purpose': 'transient-ml-training' };

  it('may read the fleet and its telemetry', async () => {
    for (const action of [
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceTypes',
      'cloudwatch:GetMetricData',
      'cloudwatch:ListMetrics',
    ]) {
      expect(await can(action, '*')).toBe('Allowed');
    }
  });

  it('may stop an in-scope GPU instance when an override enforces, in every configured region', async () => {
    expect(await can('ec2:StopInstances', instance('i-1'), gpu)).toBe('Allowed');
    const west = `arn:aws:ec2:us-west-2:${MEMBER}:instance/i-2`;
    expect(await can('ec2:StopInstances', west, gpu)).toBe('Allowed');
    expect(await can('ec2:StopInstances', `arn:aws:ec2:eu-west-1:${MEMBER}:instance/i-3`, gpu)).toBe(
      'ImplicitlyDenied',
    );
  });

  it('never stops, terminates or tags an opted-out instance', async () => {
    const optedOut = { ...gpu, 'aws:ResourceTag/gpu-reaper:opt-out': 'true' };
    expect(await can('ec2:StopInstances', instance('i-4'), optedOut)).toBe('ExplicitlyDenied');
    expect(await can('ec2:TerminateInstances', instance('i-4'), optedOut)).toBe('ExplicitlyDenied');
    const tag = { ...optedOut, 'aws:TagKeys': ['gpu-reaper:warned'] };
    expect(await can('ec2:CreateTags', instance('i-4'), tag)).toBe('ExplicitlyDenied');
  });

  it('cannot stop a non-GPU or out-of-scope instance', async () => {
    expect(await can('ec2:StopInstances', instance('i-5'), { ...gpu, 'ec2:InstanceType': 'm5.large' })).toBe(
      'ImplicitlyDenied',
    );
    expect(await can('ec2:StopInstances', instance('i-5'), { 'ec2:InstanceType': 'g5.xlarge' })).toBe(
      'ImplicitlyDenied',
    );
  });

  describe('terminate, following the base config and every override', () => {
    const noTerminate = { ownerChoices: ['stop', 'notify'] as ('stop' | 'notify')[] };
    const spokePolicy = (config: typeof HUB_CONFIG) =>
      identityPolicy(synthHub({ config }).spokeTemplate, 'SpokeRoleDefaultPolicy', resolver(MEMBER, parameters));
    const withOverrides = (overrides: Record<string, unknown>) => ({
      ...HUB_CONFIG,
      actions: noTerminate,
      accounts: { ...HUB_CONFIG.accounts, overrides: { '111111111111': { mode: 'enforce' }, ...overrides } },
    });

    it('may terminate with the default owner choices (which include terminate)', async () => {
      expect(await can('ec2:TerminateInstances', instance('i-7'), gpu)).toBe('Allowed');
    });

    it('may not terminate when neither the base nor any override has a terminate action or owner choice', async () => {
      const policy = spokePolicy(withOverrides({}));
      expect(await can('ec2:TerminateInstances', instance('i-8'), gpu, policy)).toBe('ImplicitlyDenied');
      expect(await can('ec2:StopInstances', instance('i-8'), gpu, policy)).toBe('Allowed');
    });

    it('may terminate when an override offers terminate to owners, or a rule of it terminates', async () => {
      for (const override of [
        { [OU]: { actions: { ownerChoices: ['stop', 'terminate'] } } },
        { '333333333333': { actions: { idle: 'terminate' } } },
      ]) {
        const policy = spokePolicy(withOverrides(override));
        expect(await can('ec2:TerminateInstances', instance('i-9'), gpu, policy)).toBe('Allowed');
      }
    });
  });

  it('cannot stop anything when neither the base nor an override enforces', async () => {
    expect(await can('ec2:StopInstances', instance('i-6'), gpu, dryRunPermissions)).toBe('ImplicitlyDenied');
    expect(
      await can('ec2:CreateTags', instance('i-6'), { ...gpu, 'aws:TagKeys': ['gpu-reaper:warned'] }, dryRunPermissions),
    ).toBe('Allowed');
  });
});
