/**
 * Policy evaluation (iam-simulate, the AWS evaluation logic) of who may write the approval tag of cost-gating, as
 * synthesized: the approvers' managed policy writes and removes that one key on GPU instances only; the owner-action
 * endpoint writes it (an approver's signed link) only when gating or budgets is on; the reaper's own role never.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../shared/config';
import { simulate } from './iam-simulation';
import { synthStack } from './synth-stack';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT };
const instance = (id: string, region = REGION) => `arn:aws:ec2:${region}:${ACCOUNT}:instance/${id}`;
const APPROVAL = 'gpu-reaper:approved-until';
const GATING: ConfigInput = { mode: 'enforce', gating: { threshold: 500, approvers: ['ml-leads@example.com'] } };

/** Resolves the template's intrinsics well enough for EC2 statements: pseudo parameters, joins, other ARNs. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return PSEUDO[object.Ref] ?? `arn:aws:sns:${REGION}:${ACCOUNT}:${object.Ref}`;
  if (Array.isArray(object['Fn::GetAtt'])) {
    const [logicalId = ''] = object['Fn::GetAtt'] as string[];
    return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${logicalId}`;
  }
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, entry]) => [key, resolve(entry)]));
}

/** The policy document of the one resource of `type` whose logical id starts with `prefix`. */
function policyOf(template: Template, type: string, prefix: string): unknown {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return resolve(found[0]?.[1].Properties.PolicyDocument);
}

type Can = (action: string, resource: string, context?: Record<string, string | string[]>) => Promise<string>;

/** `can(action, resource, context)` of a principal holding only `policy`. */
function holding(policy: unknown, principal: string): Can {
  return (action, resource, context = {}) =>
    simulate({ principal, action, resource, resourceAccount: ACCOUNT, identityPolicy: policy, context });
}

const roleOf = (template: Template, rolePrefix: string) =>
  holding(
    policyOf(template, 'AWS::IAM::Policy', `${rolePrefix}DefaultPolicy`),
    `arn:aws:sts::${ACCOUNT}:assumed-role/${rolePrefix}/session`,
  );

const g5 = { 'ec2:InstanceType': 'g5.xlarge' };
const t3 = { 'ec2:InstanceType': 't3.micro' };
const approve = { 'aws:TagKeys': [APPROVAL], [`aws:RequestTag/${APPROVAL}`]: '2026-12-08T10:00:00.000Z' };
const optedOut = { 'aws:ResourceTag/gpu-reaper:opt-out': 'true' };

describe('with gating set', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synthStack({ bundle: false, config: GATING }));
  });

  describe('the reaper role', () => {
    let can: Can;
    beforeAll(() => {
      can = roleOf(template, 'GpuReaperRole');
    });

    it('cannot write or remove the approval tag on a GPU instance', async () => {
      expect(await can('ec2:CreateTags', instance('i-1a'), { ...g5, ...approve })).toBe('ImplicitlyDenied');
      expect(await can('ec2:DeleteTags', instance('i-1a'), { ...g5, 'aws:TagKeys': [APPROVAL] })).toBe(
        'ImplicitlyDenied',
      );
      const alongWarned = { ...g5, 'aws:TagKeys': ['gpu-reaper:warned', APPROVAL] };
      expect(await can('ec2:CreateTags', instance('i-1a'), alongWarned)).toBe('ImplicitlyDenied');
    });

    it('stops an unapproved opted-out run (opt-out does not exempt it), but never terminates an opted-out one', async () => {
      expect(await can('ec2:StopInstances', instance('i-1c'), { ...g5, ...optedOut })).toBe('Allowed');
      const warned = { ...g5, ...optedOut, 'aws:TagKeys': ['gpu-reaper:warned'] };
      expect(await can('ec2:CreateTags', instance('i-1c'), warned)).toBe('Allowed');
      expect(await can('ec2:TerminateInstances', instance('i-1c'), { ...g5, ...optedOut })).not.toBe('Allowed');
    });

    it('never stops an opted-out run that carries an approval', async () => {
      const approvedOptOut = { ...g5, ...optedOut, [`aws:ResourceTag/${APPROVAL}`]: '2026-12-09T00:00:00Z' };
      expect(await can('ec2:StopInstances', instance('i-1d'), approvedOptOut)).toBe('ExplicitlyDenied');
    });

    it('still writes its warned tag, and only that', async () => {
      expect(await can('ec2:CreateTags', instance('i-1b'), { ...g5, 'aws:TagKeys': ['gpu-reaper:warned'] })).toBe(
        'Allowed',
      );
    });
  });

  describe('the owner-action endpoint role', () => {
    let can: Can;
    beforeAll(() => {
      can = roleOf(template, 'GpuReaperOwnerActionsEndpointRole');
    });

    it('writes the approval tag on a GPU instance (an approver link)', async () => {
      expect(await can('ec2:CreateTags', instance('i-2a'), { ...g5, ...approve })).toBe('Allowed');
    });

    it('writes it on an opted-out instance too: an owner cannot opt out of the approval', async () => {
      expect(await can('ec2:CreateTags', instance('i-2b'), { ...g5, ...optedOut, ...approve })).toBe('Allowed');
    });

    it('still never stops, snoozes or tags otherwise an opted-out instance', async () => {
      expect(await can('ec2:StopInstances', instance('i-2c'), { ...g5, ...optedOut })).toBe('ExplicitlyDenied');
      const snooze = { ...g5, ...optedOut, 'aws:TagKeys': ['gpu-reaper:snooze-until'] };
      expect(await can('ec2:CreateTags', instance('i-2c'), snooze)).toBe('ExplicitlyDenied');
      const both = { ...g5, ...optedOut, 'aws:TagKeys': [APPROVAL, 'gpu-reaper:snooze-until'] };
      expect(await can('ec2:CreateTags', instance('i-2c'), both)).toBe('ExplicitlyDenied');
    });

    it('cannot write it on a non-GPU instance, nor remove it', async () => {
      expect(await can('ec2:CreateTags', instance('i-2d'), { ...t3, ...approve })).toBe('ImplicitlyDenied');
      expect(await can('ec2:DeleteTags', instance('i-2d'), { ...g5, 'aws:TagKeys': [APPROVAL] })).toBe(
        'ImplicitlyDenied',
      );
    });
  });

  describe('a principal holding the approvers policy', () => {
    let can: Can;
    beforeAll(() => {
      can = holding(
        policyOf(template, 'AWS::IAM::ManagedPolicy', 'GpuReaperApproverPolicy'),
        `arn:aws:sts::${ACCOUNT}:assumed-role/ml-leads/alice`,
      );
    });

    it('writes and removes the approval tag on a GPU instance', async () => {
      expect(await can('ec2:CreateTags', instance('i-3a'), { ...g5, ...approve })).toBe('Allowed');
      expect(await can('ec2:DeleteTags', instance('i-3a'), { ...g5, 'aws:TagKeys': [APPROVAL] })).toBe('Allowed');
      for (const type of ['p5.48xlarge', 'g6e.xlarge', 'dl1.24xlarge']) {
        expect(await can('ec2:CreateTags', instance('i-3a'), { 'ec2:InstanceType': type, ...approve })).toBe('Allowed');
      }
    });

    it('finds the instances to approve', async () => {
      expect(await can('ec2:DescribeInstances', '*')).toBe('Allowed');
    });

    it('cannot write or remove any other key with it', async () => {
      for (const key of ['gpu-reaper:opt-out', 'gpu-reaper:warned', 'gpu-reaper:max-runtime', 'Owner']) {
        for (const action of ['ec2:CreateTags', 'ec2:DeleteTags']) {
          expect(await can(action, instance('i-3b'), { ...g5, 'aws:TagKeys': [key] })).toBe('ImplicitlyDenied');
        }
      }
      const both = { ...g5, 'aws:TagKeys': [APPROVAL, 'gpu-reaper:opt-out'] };
      expect(await can('ec2:CreateTags', instance('i-3b'), both)).toBe('ImplicitlyDenied');
      expect(await can('ec2:DeleteTags', instance('i-3b'), both)).toBe('ImplicitlyDenied');
    });

    it('cannot remove every tag at once (a DeleteTags naming no key)', async () => {
      expect(await can('ec2:DeleteTags', instance('i-3c'), g5)).toBe('ImplicitlyDenied');
    });

    it('cannot tag a non-GPU instance, either way', async () => {
      expect(await can('ec2:CreateTags', instance('i-3d'), { ...t3, ...approve })).toBe('ImplicitlyDenied');
      expect(await can('ec2:DeleteTags', instance('i-3d'), { ...t3, 'aws:TagKeys': [APPROVAL] })).toBe(
        'ImplicitlyDenied',
      );
    });

    it('cannot stop, terminate, start or otherwise change an instance', async () => {
      for (const action of ['ec2:StopInstances', 'ec2:TerminateInstances', 'ec2:StartInstances', 'ec2:RunInstances']) {
        expect(await can(action, instance('i-3e'), g5)).toBe('ImplicitlyDenied');
      }
    });
  });
});

describe('the approvers policy with regions set', () => {
  it('tags in the configured regions only', async () => {
    const { template } = synthStack({ bundle: false, config: { ...GATING, regions: ['us-east-1', 'eu-west-1'] } });
    const can = holding(
      policyOf(template, 'AWS::IAM::ManagedPolicy', 'GpuReaperApproverPolicy'),
      `arn:aws:sts::${ACCOUNT}:assumed-role/ml-leads/alice`,
    );
    expect(await can('ec2:CreateTags', instance('i-4a', 'eu-west-1'), { ...g5, ...approve })).toBe('Allowed');
    expect(await can('ec2:CreateTags', instance('i-4a', 'ap-south-1'), { ...g5, ...approve })).toBe('ImplicitlyDenied');
  });
});

describe('with budgets set (no gating)', () => {
  it('the endpoint writes the approval tag too: an over-budget team needs approval', async () => {
    const { template } = synthStack({ bundle: false, config: { budgets: { monthlyUsd: { '*': 5000 } } } });
    const can = roleOf(template, 'GpuReaperOwnerActionsEndpointRole');
    expect(await can('ec2:CreateTags', instance('i-5a'), { ...g5, ...approve })).toBe('Allowed');
  });
});

describe('without gating or budgets (the default)', () => {
  it('no role of the stack can write the approval tag', async () => {
    const { template } = synthStack({ bundle: false });
    for (const role of ['GpuReaperRole', 'GpuReaperOwnerActionsEndpointRole']) {
      const can = roleOf(template, role);
      expect(await can('ec2:CreateTags', instance('i-6a'), { ...g5, ...approve })).toBe('ImplicitlyDenied');
    }
  });
});
