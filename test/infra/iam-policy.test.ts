/**
 * Policy evaluation of the reaper's role as synthesized (iam-simulate, the AWS evaluation logic): it holds even if the
 * code is wrong. The role's policy is taken from the template and its Fn::Join/Ref pieces resolved to concrete ARNs.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { gpuInfoFromFamily } from '../../shared/adapters/ec2/gpu-types';
import { GPU_FAMILIES, NEURON_FAMILIES } from '../helpers/instance-types';
import { type Decision, simulate } from './iam-simulation';
import { synthStack } from './synth-stack';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT };
const instance = (id: string, region = REGION) => `arn:aws:ec2:${region}:${ACCOUNT}:instance/${id}`;

/** Resolves the intrinsics CDK emits in a role policy to concrete strings. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return PSEUDO[object.Ref] ?? `arn:aws:sns:${REGION}:${ACCOUNT}:${object.Ref}`;
  if (Array.isArray(object['Fn::GetAtt'])) {
    const [logicalId] = object['Fn::GetAtt'] as string[];
    return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${logicalId}`;
  }
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, entry]) => [key, resolve(entry)]));
}

/** The identity policy attached to a role (the reaper's by default), resolved. */
function rolePolicy(template: Template, role = 'GpuReaperRole'): unknown {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
    id.startsWith(`${role}DefaultPolicy`),
  );
  expect(policies).toHaveLength(1);
  return resolve(policies[0]?.[1].Properties.PolicyDocument);
}

/** Builds `can(action, resource, context)` over one role policy. */
function simulator(policy: unknown) {
  return (action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<Decision> =>
    simulate({
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/gpu-reaper/reaper`,
      action,
      resource,
      resourceAccount: ACCOUNT,
      identityPolicy: policy,
      context,
    });
}

const gpu = { 'ec2:InstanceType': 'g5.xlarge' };
const inScope = { 'aws:ResourceTag/Purpose': 'transient-ml-training' };
const warnedTag = {
  'aws:TagKeys': ['gpu-reaper:warned'],
  'aws:RequestTag/gpu-reaper:warned': 'idle@2025-01-01T00:00:00Z',
};

describe('in dry-run mode (the default)', () => {
  let can: ReturnType<typeof simulator>;
  beforeAll(() => {
    const { template } = synthStack({ bundle: false });
    can = simulator(rolePolicy(template));
  });

  it('cannot stop or terminate anything, not even an idle GPU instance', async () => {
    expect(await can('ec2:StopInstances', instance('i-9a'), gpu)).toBe('ImplicitlyDenied');
    expect(await can('ec2:TerminateInstances', instance('i-9a'), gpu)).toBe('ImplicitlyDenied');
  });

  it('can still warn: write and clear its warned tag on a GPU instance', async () => {
    expect(await can('ec2:CreateTags', instance('i-9b'), { ...gpu, ...warnedTag })).toBe('Allowed');
    expect(await can('ec2:DeleteTags', instance('i-9b'), { 'aws:TagKeys': ['gpu-reaper:warned'] })).toBe('Allowed');
  });
});

describe('in enforce mode with scope.tags set', () => {
  let can: ReturnType<typeof simulator>;
  beforeAll(() => {
    const { template } = synthStack({
      bundle: false,
      config: { mode: 'enforce', scope: { tags: { Purpose: ['transient-ml-training'] } } },
    });
    can = simulator(rolePolicy(template));
  });

  it('can stop and terminate an in-scope GPU instance', async () => {
    expect(await can('ec2:StopInstances', instance('i-0a'), { ...gpu, ...inScope })).toBe('Allowed');
    expect(await can('ec2:TerminateInstances', instance('i-0a'), { ...gpu, ...inScope })).toBe('Allowed');
  });

  it('can stop an instance whose opt-out tag says false, in any letter case', async () => {
    for (const value of ['false', 'FALSE']) {
      const context = { ...gpu, ...inScope, 'aws:ResourceTag/gpu-reaper:opt-out': value };
      expect(await can('ec2:StopInstances', instance('i-0b'), context)).toBe('Allowed');
    }
  });

  it('never stops, terminates or tags an opted-out instance (opt-out=yes, or empty)', async () => {
    for (const value of ['yes', '', 'true']) {
      const context = { ...gpu, ...inScope, 'aws:ResourceTag/gpu-reaper:opt-out': value };
      expect(await can('ec2:StopInstances', instance('i-0c'), context)).toBe('ExplicitlyDenied');
      expect(await can('ec2:TerminateInstances', instance('i-0c'), context)).toBe('ExplicitlyDenied');
      expect(await can('ec2:CreateTags', instance('i-0c'), { ...context, ...warnedTag })).toBe('ExplicitlyDenied');
    }
  });

  it('cannot stop or terminate an out-of-scope instance (other value, or no tag)', async () => {
    const otherValue = { ...gpu, 'aws:ResourceTag/Purpose': 'production-inference' };
    expect(await can('ec2:StopInstances', instance('i-0d'), otherValue)).toBe('ImplicitlyDenied');
    expect(await can('ec2:TerminateInstances', instance('i-0d'), otherValue)).toBe('ImplicitlyDenied');
    expect(await can('ec2:StopInstances', instance('i-0d'), gpu)).toBe('ImplicitlyDenied');
  });

  it('cannot stop or terminate a non-GPU instance, even in scope', async () => {
    for (const type of ['m5.large', 'c7g.xlarge', 'inf2.xlarge', 'trn1.2xlarge']) {
      const context = { 'ec2:InstanceType': type, ...inScope };
      expect(await can('ec2:StopInstances', instance('i-0e'), context)).toBe('ImplicitlyDenied');
      expect(await can('ec2:TerminateInstances', instance('i-0e'), context)).toBe('ImplicitlyDenied');
    }
  });

  it('can act on every GPU family, p and g alike', async () => {
    for (const type of ['p4d.24xlarge', 'p5.48xlarge', 'p6-b200.48xlarge', 'g4dn.xlarge', 'g6f.large', 'gr6.4xlarge']) {
      expect(await can('ec2:StopInstances', instance('i-0f'), { 'ec2:InstanceType': type, ...inScope })).toBe(
        'Allowed',
      );
    }
  });

  it('cannot act outside the stack region when regions is empty', async () => {
    expect(await can('ec2:StopInstances', instance('i-0g', 'eu-west-1'), { ...gpu, ...inScope })).toBe(
      'ImplicitlyDenied',
    );
  });

  it('writes and removes only its own warned tag', async () => {
    expect(await can('ec2:CreateTags', instance('i-0h'), { ...gpu, ...inScope, ...warnedTag })).toBe('Allowed');
    expect(await can('ec2:DeleteTags', instance('i-0h'), { ...inScope, 'aws:TagKeys': ['gpu-reaper:warned'] })).toBe(
      'Allowed',
    );
    const ownerTag = { 'aws:TagKeys': ['Owner'], 'aws:RequestTag/Owner': 'me' };
    expect(await can('ec2:CreateTags', instance('i-0h'), { ...gpu, ...inScope, ...ownerTag })).toBe('ImplicitlyDenied');
    expect(await can('ec2:DeleteTags', instance('i-0h'), { ...inScope, 'aws:TagKeys': ['gpu-reaper:opt-out'] })).toBe(
      'ImplicitlyDenied',
    );
    const mixed = { 'aws:TagKeys': ['gpu-reaper:warned', 'Name'] };
    expect(await can('ec2:DeleteTags', instance('i-0h'), { ...inScope, ...mixed })).toBe('ImplicitlyDenied');
  });

  it('cannot delete every tag at once (DeleteTags without tag keys)', async () => {
    expect(await can('ec2:DeleteTags', instance('i-0i'), inScope)).toBe('ImplicitlyDenied');
  });

  it('cannot tag a non-GPU instance', async () => {
    const context = { 'ec2:InstanceType': 'm5.large', ...inScope, ...warnedTag };
    expect(await can('ec2:CreateTags', instance('i-0j'), context)).toBe('ImplicitlyDenied');
  });

  it('can read the fleet and its telemetry, and the protection attributes', async () => {
    expect(await can('ec2:DescribeInstances', '*')).toBe('Allowed');
    expect(await can('ec2:DescribeInstanceTypes', '*')).toBe('Allowed');
    expect(await can('cloudwatch:GetMetricData', '*')).toBe('Allowed');
    expect(await can('cloudwatch:ListMetrics', '*')).toBe('Allowed');
    expect(await can('ec2:DescribeInstanceAttribute', instance('i-0k'))).toBe('Allowed');
  });

  it('cannot start instances, create images or change anything else in EC2', async () => {
    expect(await can('ec2:StartInstances', instance('i-0l'), { ...gpu, ...inScope })).toBe('ImplicitlyDenied');
    expect(await can('ec2:ModifyInstanceAttribute', instance('i-0l'), gpu)).toBe('ImplicitlyDenied');
    expect(await can('ec2:RunInstances', instance('i-0l'), gpu)).toBe('ImplicitlyDenied');
  });
});

describe("the stop scope against EC2's catalog of accelerated types", () => {
  // Families from DescribeInstanceTypes (moto's copy of EC2's catalog): every type the pass may decide to act on.
  const stop = (can: ReturnType<typeof simulator>, type: string) =>
    can('ec2:StopInstances', instance('i-4a'), { 'ec2:InstanceType': type });
  const notAccelerated = ['m5.large', 'c7g.xlarge', 't3.micro', 'dl2q.24xlarge'];

  describe('with the default accelerators (GPUs)', () => {
    let can: ReturnType<typeof simulator>;
    beforeAll(() => {
      const { template } = synthStack({ bundle: false, config: { mode: 'enforce' } });
      can = simulator(rolePolicy(template));
    });

    it.each(Object.entries(GPU_FAMILIES))('can stop a %s GPU instance (%s)', async (_family, type) => {
      expect(await stop(can, type)).toBe('Allowed');
      expect(await can('ec2:TerminateInstances', instance('i-4a'), { 'ec2:InstanceType': type })).toBe('Allowed');
    });

    it('can stop every type the pass calls a GPU by its family name alone', async () => {
      const named = ['p3.2xlarge', 'p6e-gb200.36xlarge', 'g4ad.16xlarge', 'gr6.8xlarge', 'dl1.24xlarge', 'p9.mega'];
      for (const type of named.filter((candidate) => gpuInfoFromFamily(candidate).hasGpu)) {
        expect(await stop(can, type), type).toBe('Allowed');
      }
    });

    it('cannot stop a Trainium or Inferentia instance, nor a type without an accelerator', async () => {
      for (const type of [...Object.values(NEURON_FAMILIES), ...notAccelerated]) {
        expect(await stop(can, type), type).toBe('ImplicitlyDenied');
      }
    });
  });

  describe('with scope.accelerators ["gpu", "neuron"]', () => {
    let can: ReturnType<typeof simulator>;
    beforeAll(() => {
      const { template } = synthStack({
        bundle: false,
        config: { mode: 'enforce', scope: { accelerators: ['gpu', 'neuron'] } },
      });
      can = simulator(rolePolicy(template));
    });

    it('can stop every Trainium and Inferentia family, and still every GPU family', async () => {
      for (const type of [...Object.values(NEURON_FAMILIES), ...Object.values(GPU_FAMILIES)]) {
        expect(await stop(can, type), type).toBe('Allowed');
      }
    });

    it('still cannot stop a type without an accelerator, nor an opted-out Trainium', async () => {
      for (const type of notAccelerated) expect(await stop(can, type), type).toBe('ImplicitlyDenied');
      const optedOut = { 'ec2:InstanceType': 'trn1.2xlarge', 'aws:ResourceTag/gpu-reaper:opt-out': 'yes' };
      expect(await can('ec2:StopInstances', instance('i-4b'), optedOut)).toBe('ExplicitlyDenied');
    });
  });
});

describe('in enforce mode without scope.tags, across configured regions', () => {
  let can: ReturnType<typeof simulator>;
  beforeAll(() => {
    const { template } = synthStack({
      bundle: false,
      config: { mode: 'enforce', regions: ['us-east-1', 'eu-west-1'] },
    });
    can = simulator(rolePolicy(template));
  });

  it('can stop any GPU instance in a configured region, tagged or not', async () => {
    expect(await can('ec2:StopInstances', instance('i-1a'), gpu)).toBe('Allowed');
    expect(await can('ec2:StopInstances', instance('i-1a', 'eu-west-1'), gpu)).toBe('Allowed');
  });

  it('cannot act in a region outside the config', async () => {
    expect(await can('ec2:StopInstances', instance('i-1b', 'ap-south-1'), gpu)).toBe('ImplicitlyDenied');
  });

  it('still never touches an opted-out instance, nor a non-GPU one', async () => {
    const optedOut = { ...gpu, 'aws:ResourceTag/gpu-reaper:opt-out': 'yes' };
    expect(await can('ec2:TerminateInstances', instance('i-1c'), optedOut)).toBe('ExplicitlyDenied');
    expect(await can('ec2:StopInstances', instance('i-1d'), { 'ec2:InstanceType': 'm5.large' })).toBe(
      'ImplicitlyDenied',
    );
  });
});

describe('terminate follows the config (enforce mode)', () => {
  const noOwnerTerminate = { ownerChoices: ['stop', 'notify'] as ('stop' | 'notify')[] };
  const canFor = (actions: Record<string, unknown>) => {
    const { template } = synthStack({ bundle: false, config: { mode: 'enforce', actions } });
    return simulator(rolePolicy(template));
  };

  it('may not terminate when no configured action and no owner choice is terminate, yet may still stop', async () => {
    const can = canFor(noOwnerTerminate);
    // An owner's action=terminate tag is then a tag problem; even a code bug that tried would be refused here.
    expect(await can('ec2:TerminateInstances', instance('i-5a'), gpu)).toBe('ImplicitlyDenied');
    expect(await can('ec2:StopInstances', instance('i-5a'), gpu)).toBe('Allowed');
  });

  it.each([
    ['the default owner choices (which include terminate)', {}],
    ['a rule action of terminate', { ...noOwnerTerminate, neverUsed: 'terminate' }],
    ['whenStopImpossible terminate', { ...noOwnerTerminate, whenStopImpossible: 'terminate' }],
    ['asgMembers terminate', { ...noOwnerTerminate, asgMembers: 'terminate' }],
    ['an owner choice of terminate only', { ownerChoices: ['terminate'] }],
  ])('may terminate a GPU instance with %s', async (_name, actions) => {
    const can = canFor(actions);
    expect(await can('ec2:TerminateInstances', instance('i-5b'), gpu)).toBe('Allowed');
    const optedOut = { ...gpu, 'aws:ResourceTag/gpu-reaper:opt-out': 'yes' };
    expect(await can('ec2:TerminateInstances', instance('i-5b'), optedOut)).toBe('ExplicitlyDenied');
  });
});

describe('with another tagPrefix', () => {
  it('follows the prefix in the opt-out deny and the warned tag', async () => {
    const { template } = synthStack({ bundle: false, config: { mode: 'enforce', tagPrefix: 'reaper/' } });
    const can = simulator(rolePolicy(template));
    const optedOut = { ...gpu, 'aws:ResourceTag/reaper/opt-out': 'please' };
    expect(await can('ec2:StopInstances', instance('i-2a'), optedOut)).toBe('ExplicitlyDenied');
    expect(
      await can('ec2:StopInstances', instance('i-2a'), { ...gpu, 'aws:ResourceTag/gpu-reaper:opt-out': 'yes' }),
    ).toBe('Allowed');
    const warned = { ...gpu, 'aws:TagKeys': ['reaper/warned'], 'aws:RequestTag/reaper/warned': 'idle@x' };
    expect(await can('ec2:CreateTags', instance('i-2b'), warned)).toBe('Allowed');
  });
});

describe('the weekly digest', () => {
  const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/`;
  let can: ReturnType<typeof simulator>;
  let tableArn: string;
  let adminTopic: string;
  let ownerTopic: string;
  beforeAll(() => {
    const { template } = synthStack({ bundle: false, config: { mode: 'enforce' } });
    can = simulator(rolePolicy(template, 'GpuReaperDigestRole'));
    const logicalId = (prefix: string, type: string) =>
      Object.keys(template.findResources(type)).find((id) => id.startsWith(prefix)) ?? '';
    tableArn = `${table}${logicalId('GpuReaperAuditTable', 'AWS::DynamoDB::Table')}`;
    adminTopic = `arn:aws:sns:${REGION}:${ACCOUNT}:${logicalId('GpuReaperNotificationsAdminTopic', 'AWS::SNS::Topic')}`;
    ownerTopic = `arn:aws:sns:${REGION}:${ACCOUNT}:${logicalId('GpuReaperNotificationsTopic', 'AWS::SNS::Topic')}`;
  });

  it('can query the audit table and its by-time index, and publish to the admin topic', async () => {
    expect(await can('dynamodb:Query', tableArn)).toBe('Allowed');
    expect(await can('dynamodb:Query', `${tableArn}/index/by-time`)).toBe('Allowed');
    expect(await can('sns:Publish', adminTopic)).toBe('Allowed');
  });

  it('reads GPU history and instances for the fleet audit, nothing more of CloudWatch or EC2', async () => {
    expect(await can('cloudwatch:GetMetricData', '*')).toBe('Allowed');
    expect(await can('cloudwatch:ListMetrics', '*')).toBe('Allowed');
    expect(await can('ec2:DescribeInstances', '*')).toBe('Allowed');
    expect(await can('cloudwatch:PutMetricData', '*')).toBe('ImplicitlyDenied');
  });

  it('cannot write or scan the table, publish to owners, or change EC2', async () => {
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan']) {
      expect(await can(action, tableArn)).toBe('ImplicitlyDenied');
    }
    expect(await can('sns:Publish', ownerTopic)).toBe('ImplicitlyDenied');
    expect(await can('ec2:StopInstances', instance('i-3a'), gpu)).toBe('ImplicitlyDenied');
    expect(await can('ec2:CreateTags', instance('i-3a'), gpu)).toBe('ImplicitlyDenied');
  });
});
