/**
 * Policy evaluation (iam-simulate, the AWS evaluation logic) of the owner-action endpoint's role and of the reaper's
 * link signing, as synthesized: whatever the code does, the endpoint can tag only the snooze key, stop only a GPU
 * instance that is not opted out, never terminate, and only verify MACs with its own key.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from './iam-simulation';
import { synthStack } from './synth-stack';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT };
const instance = (id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`;
const keyArn = (id: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;

/** The key policy the CDK gives a key: the account's IAM policies decide. */
const KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};

/** Resolves the template's intrinsics: keys to key ARNs, tables to table ARNs, topics to topic ARNs. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return PSEUDO[object.Ref] ?? `arn:aws:sns:${REGION}:${ACCOUNT}:${object.Ref}`;
  if (Array.isArray(object['Fn::GetAtt'])) {
    const [logicalId = ''] = object['Fn::GetAtt'] as string[];
    if (/Key/.test(logicalId)) return keyArn(logicalId);
    if (/Function/.test(logicalId)) return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
    if (/Logs/.test(logicalId)) return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logicalId}:*`;
    return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${logicalId}`;
  }
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, entry]) => [key, resolve(entry)]));
}

/** The logical id of the one resource of `type` starting with `prefix`. */
function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** Builds `can(action, resource, context)` over the identity policy of the role with this logical id prefix. */
function simulator(template: Template, rolePrefix: string) {
  const policy = resolve(
    template.findResources('AWS::IAM::Policy')[logicalId(template, 'AWS::IAM::Policy', `${rolePrefix}DefaultPolicy`)]
      ?.Properties.PolicyDocument,
  );
  return (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    simulate({
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/gpu-reaper/owner-action`,
      action,
      resource,
      resourceAccount: ACCOUNT,
      identityPolicy: policy,
      // KMS always asks the key policy too; the stack's keys delegate to IAM (the CDK default key policy).
      ...(action.startsWith('kms:') ? { resourcePolicy: KEY_POLICY } : {}),
      context,
    });
}

const gpu = { 'ec2:InstanceType': 'g5.xlarge' };
const inScope = { 'aws:ResourceTag/Purpose': 'transient-ml-training' };
const snoozeTag = {
  'aws:TagKeys': ['gpu-reaper:snooze-until'],
  'aws:RequestTag/gpu-reaper:snooze-until': '2025-01-01T04:00:00.000Z',
};
const optedOut = { 'aws:ResourceTag/gpu-reaper:opt-out': 'true' };

describe('the owner-action endpoint role, in enforce mode with scope.tags', () => {
  let can: ReturnType<typeof simulator>;
  let linkKey: string;
  beforeAll(() => {
    const { template } = synthStack({
      bundle: false,
      config: { mode: 'enforce', scope: { tags: { Purpose: ['transient-ml-training'] } } },
    });
    can = simulator(template, 'GpuReaperOwnerActionsEndpointRole');
    linkKey = keyArn(logicalId(template, 'AWS::KMS::Key', 'GpuReaperOwnerActionsLinkKey'));
  });

  it('may write the snooze tag on an in-scope GPU instance, and no other tag', async () => {
    expect(await can('ec2:CreateTags', instance('i-1a'), { ...gpu, ...inScope, ...snoozeTag })).toBe('Allowed');
    for (const key of ['gpu-reaper:opt-out', 'gpu-reaper:warned', 'gpu-reaper:max-runtime', 'Owner']) {
      const context = { ...gpu, ...inScope, 'aws:TagKeys': [key] };
      expect(await can('ec2:CreateTags', instance('i-1a'), context)).toBe('ImplicitlyDenied');
    }
    const both = { ...gpu, ...inScope, 'aws:TagKeys': ['gpu-reaper:snooze-until', 'gpu-reaper:opt-out'] };
    expect(await can('ec2:CreateTags', instance('i-1a'), both)).toBe('ImplicitlyDenied');
  });

  it('may remove the warned tag only', async () => {
    expect(await can('ec2:DeleteTags', instance('i-1b'), { ...inScope, 'aws:TagKeys': ['gpu-reaper:warned'] })).toBe(
      'Allowed',
    );
    const optOut = { ...inScope, 'aws:TagKeys': ['gpu-reaper:opt-out'] };
    expect(await can('ec2:DeleteTags', instance('i-1b'), optOut)).toBe('ImplicitlyDenied');
  });

  it('may stop an in-scope GPU instance, not a non-GPU or out-of-scope one', async () => {
    expect(await can('ec2:StopInstances', instance('i-1c'), { ...gpu, ...inScope })).toBe('Allowed');
    expect(await can('ec2:StopInstances', instance('i-1c'), { 'ec2:InstanceType': 'm5.large', ...inScope })).toBe(
      'ImplicitlyDenied',
    );
    expect(await can('ec2:StopInstances', instance('i-1c'), gpu)).toBe('ImplicitlyDenied');
  });

  it('never stops or snoozes an opted-out instance', async () => {
    expect(await can('ec2:StopInstances', instance('i-1d'), { ...gpu, ...inScope, ...optedOut })).toBe(
      'ExplicitlyDenied',
    );
    expect(await can('ec2:CreateTags', instance('i-1d'), { ...gpu, ...inScope, ...optedOut, ...snoozeTag })).toBe(
      'ExplicitlyDenied',
    );
  });

  it('can never terminate, start or change an instance otherwise', async () => {
    for (const action of ['ec2:TerminateInstances', 'ec2:StartInstances', 'ec2:ModifyInstanceAttribute']) {
      expect(await can(action, instance('i-1e'), { ...gpu, ...inScope })).toBe('ImplicitlyDenied');
    }
  });

  it('verifies MACs with its own key only, and never generates one', async () => {
    expect(await can('kms:VerifyMac', linkKey)).toBe('Allowed');
    expect(await can('kms:VerifyMac', keyArn('another-key'))).toBe('ImplicitlyDenied');
    expect(await can('kms:GenerateMac', linkKey)).toBe('ImplicitlyDenied');
    expect(await can('kms:Decrypt', linkKey)).toBe('ImplicitlyDenied');
  });

  it('never scans the table or reads other services', async () => {
    const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/GpuReaperAuditTable00372EB5`;
    expect(await can('dynamodb:Scan', table)).toBe('ImplicitlyDenied');
    expect(await can('cloudwatch:GetMetricData', '*')).toBe('ImplicitlyDenied');
  });
});

describe('in dry-run mode (the default)', () => {
  it('the endpoint cannot stop anything (the owner stop is recorded as WOULD_STOP), but still snoozes', async () => {
    const { template } = synthStack({ bundle: false });
    const can = simulator(template, 'GpuReaperOwnerActionsEndpointRole');
    expect(await can('ec2:StopInstances', instance('i-2a'), gpu)).toBe('ImplicitlyDenied');
    expect(await can('ec2:CreateTags', instance('i-2a'), { ...gpu, ...snoozeTag })).toBe('Allowed');
  });
});

describe('the reaper role', () => {
  it('generates MACs with the link key, and cannot verify them', async () => {
    const { template } = synthStack({ bundle: false });
    const can = simulator(template, 'GpuReaperRole');
    const linkKey = keyArn(logicalId(template, 'AWS::KMS::Key', 'GpuReaperOwnerActionsLinkKey'));
    expect(await can('kms:GenerateMac', linkKey)).toBe('Allowed');
    expect(await can('kms:VerifyMac', linkKey)).toBe('ImplicitlyDenied');
    expect(await can('kms:GenerateMac', keyArn('another-key'))).toBe('ImplicitlyDenied');
  });
});
