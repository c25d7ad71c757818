/**
 * The EC2 adapter's commands: the scan's filters and page size, the batched tag re-fetch for answers without a
 * `Tags` key, the Spot look-up, the re-describe before acting, and error translation.
 */
import {
  type _InstanceType,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeSpotInstanceRequestsCommand,
  DescribeTagsCommand,
  EC2Client,
  EC2ServiceException,
  type Instance,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2Instances, transitionTime } from '../../../../shared/adapters/ec2/ec2-instances';
import { ErrorCode } from '../../../../shared/errors';
import { DESCRIBED_TYPES } from '../../../helpers/instance-types';

const ec2 = new EC2Client({ region: 'eu-west-1' });
const ec2Mock = mockClient(ec2);
const launched = new Date('2030-01-01T08:00:00Z');

const instance = (id: string, overrides: Partial<Instance> = {}): Instance => ({
  InstanceId: id,
  InstanceType: 'g5.xlarge',
  LaunchTime: launched,
  State: { Name: 'running', Code: 16 },
  RootDeviceType: 'ebs',
  Tags: [{ Key: 'Owner', Value: 'ana@example.com' }],
  ...overrides,
});

const serviceError = (name: string, status = 400) =>
  new EC2ServiceException({
    name,
    message: `${name} message`,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });

beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(DescribeInstanceTypesCommand).resolves({
    InstanceTypes: [
      {
        InstanceType: 'g5.xlarge',
        GpuInfo: {
          Gpus: [{ Count: 1, LogicalGpuCount: 1, GpuPartitionSize: 1, Manufacturer: 'NVIDIA', Name: 'A10G' }],
          TotalGpuMemoryInMiB: 22888,
        },
      },
      { InstanceType: 'm5.large' },
      DESCRIBED_TYPES['g4ad.xlarge'],
      DESCRIBED_TYPES['trn1.2xlarge'],
      DESCRIBED_TYPES['inf2.xlarge'],
    ],
  });
});

describe('Ec2Instances.scanGpuInstances', () => {
  it('asks for running instances, 1000 a page, with one tag filter per scope key', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });

    await new Ec2Instances(ec2, 'eu-west-1').scanGpuInstances({
      scopeTags: { Purpose: ['transient-ml-training', 'eval'], Team: ['ml'], Ignored: [] },
    });

    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({
      MaxResults: 1000,
      Filters: [
        { Name: 'instance-state-name', Values: ['running'] },
        { Name: 'tag:Purpose', Values: ['transient-ml-training', 'eval'] },
        { Name: 'tag:Team', Values: ['ml'] },
      ],
    });
  });

  it('follows NextToken and maps EC2 shapes to InstanceFacts, GPU types only', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        NextToken: 'page-2',
        Reservations: [
          {
            OwnerId: '111122223333',
            Instances: [
              instance('i-gpu1', { PrivateDnsName: 'ip-10-1-2-3.eu-west-1.compute.internal' }),
              instance('i-cpu', { InstanceType: 'm5.large' }),
            ],
          },
        ],
      })
      .resolvesOnce({
        Reservations: [
          {
            OwnerId: '111122223333',
            Instances: [
              instance('i-gpu2', { RootDeviceType: 'instance-store' }),
              instance('i-sleepy', { HibernationOptions: { Configured: true } }),
              instance('i-awake', { HibernationOptions: { Configured: false } }),
            ],
          },
        ],
      });

    const scan = await new Ec2Instances(ec2, 'eu-west-1').scanGpuInstances({ scopeTags: {} });

    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[1]?.args[0].input.NextToken).toBe('page-2');
    expect(scan.nonGpu).toBe(1);
    expect(scan.instances).toEqual([
      {
        instanceId: 'i-gpu1',
        region: 'eu-west-1',
        accountId: '111122223333',
        instanceType: 'g5.xlarge',
        state: 'running',
        launchTime: launched,
        tags: { Owner: 'ana@example.com' },
        gpu: {
          hasGpu: true,
          count: 1,
          source: 'instance-types',
          memoryMiB: 22888,
          accelerator: 'gpu',
          manufacturer: 'NVIDIA',
          model: 'A10G',
          logicalCount: 1,
          partitionSize: 1,
        },
        rootDeviceType: 'ebs',
        spot: null,
        hibernation: false,
        privateDnsName: 'ip-10-1-2-3.eu-west-1.compute.internal',
      },
      expect.objectContaining({ instanceId: 'i-gpu2', rootDeviceType: 'instance-store' }),
      expect.objectContaining({ instanceId: 'i-sleepy', hibernation: true }),
      expect.objectContaining({ instanceId: 'i-awake', hibernation: false }),
    ]);
    expect(ec2Mock.commandCalls(DescribeTagsCommand)).toHaveLength(0);
  });

  it('keeps Trainium and Inferentia out unless neuron is among the accelerators, and AMD GPUs in', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance('i-amd', { InstanceType: 'g4ad.xlarge' }),
            instance('i-trn', { InstanceType: 'trn1.2xlarge' }),
            instance('i-inf', { InstanceType: 'inf2.xlarge' }),
          ],
        },
      ],
    });
    const adapter = new Ec2Instances(ec2, 'eu-west-1');

    const gpusOnly = await adapter.scanGpuInstances({ scopeTags: {} });
    const withNeuron = await adapter.scanGpuInstances({ scopeTags: {}, accelerators: ['gpu', 'neuron'] });

    expect(gpusOnly.instances.map(({ instanceId }) => instanceId)).toEqual(['i-amd']);
    expect(gpusOnly.instances[0]?.gpu).toMatchObject({ hasGpu: true, manufacturer: 'AMD' });
    expect(gpusOnly.nonGpu).toBe(2);
    expect(withNeuron.instances.map(({ instanceId }) => instanceId)).toEqual(['i-amd', 'i-trn', 'i-inf']);
    expect(withNeuron.instances[1]?.gpu).toMatchObject({ accelerator: 'neuron', neuronCores: 2 });
    expect(withNeuron.nonGpu).toBe(0);
  });

  it('re-fetches the tags of answers without a Tags key in one DescribeTags call, so an opt-out tag is seen', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        { Instances: [instance('i-a', { Tags: undefined }), instance('i-b', { Tags: undefined }), instance('i-c')] },
        { Instances: [instance('i-cpu', { InstanceType: 'm5.large', Tags: undefined })] },
      ],
    });
    ec2Mock.on(DescribeTagsCommand).resolves({
      Tags: [
        { ResourceId: 'i-a', ResourceType: 'instance', Key: 'gpu-reaper:opt-out', Value: 'true' },
        { ResourceId: 'i-a', ResourceType: 'instance', Key: 'Owner', Value: 'bo@example.com' },
      ],
    });

    const scan = await new Ec2Instances(ec2, 'eu-west-1').scanGpuInstances({ scopeTags: {} });

    const calls = ec2Mock.commandCalls(DescribeTagsCommand);
    expect(calls).toHaveLength(1);
    // Only GPU instances that lacked the key are asked about.
    expect(calls[0]?.args[0].input).toEqual({
      MaxResults: 1000,
      Filters: [{ Name: 'resource-id', Values: ['i-a', 'i-b'] }],
    });
    const tagsOf = (id: string) => scan.instances.find((i) => i.instanceId === id)?.tags;
    expect(tagsOf('i-a')).toEqual({ 'gpu-reaper:opt-out': 'true', Owner: 'bo@example.com' });
    expect(tagsOf('i-b')).toEqual({});
    expect(tagsOf('i-c')).toEqual({ Owner: 'ana@example.com' });
  });

  it('fails the scan rather than return instances whose tags it could not read', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance('i-a', { Tags: undefined })] }] });
    ec2Mock.on(DescribeTagsCommand).rejects(serviceError('InternalError', 500));

    await expect(new Ec2Instances(ec2, 'eu-west-1').scanGpuInstances({ scopeTags: {} })).rejects.toMatchObject({
      code: ErrorCode.AwsCall,
      operation: 'DescribeTags',
    });
  });

  it('learns the Spot request type of Spot instances in one call, unknown when not found or on failure', async () => {
    const spot = (id: string) => instance(id, { InstanceLifecycle: 'spot', SpotInstanceRequestId: `sir-${id}` });
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [spot('i-1'), spot('i-2'), spot('i-3'), instance('i-od')] }] });
    ec2Mock.on(DescribeSpotInstanceRequestsCommand).resolves({
      SpotInstanceRequests: [
        { InstanceId: 'i-1', Type: 'one-time' },
        { InstanceId: 'i-2', Type: 'persistent' },
      ],
    });
    const adapter = new Ec2Instances(ec2, 'eu-west-1');

    const scan = await adapter.scanGpuInstances({ scopeTags: {} });

    expect(ec2Mock.commandCalls(DescribeSpotInstanceRequestsCommand)[0]?.args[0].input).toEqual({
      MaxResults: 1000,
      Filters: [{ Name: 'instance-id', Values: ['i-1', 'i-2', 'i-3'] }],
    });
    expect(scan.instances.map((i) => i.spot)).toEqual([
      { requestType: 'one-time' },
      { requestType: 'persistent' },
      { requestType: 'unknown' },
      null,
    ]);

    ec2Mock.on(DescribeSpotInstanceRequestsCommand).rejects(serviceError('UnauthorizedOperation', 403));
    const again = await adapter.scanGpuInstances({ scopeTags: {} });
    expect(again.instances.map((i) => i.spot?.requestType)).toEqual(['unknown', 'unknown', 'unknown', undefined]);
  });

  it('reports unknown types and keeps the GPU ones by family name', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance('i-new', { InstanceType: 'p9.mega' as _InstanceType }),
            instance('i-odd', { InstanceType: 'zz1.big' as _InstanceType }),
          ],
        },
      ],
    });
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(
      new EC2ServiceException({
        name: 'InvalidInstanceType',
        message: 'The following supplied instance types do not exist: [p9.mega, zz1.big]',
        $fault: 'client',
        $metadata: {},
      }),
    );

    const scan = await new Ec2Instances(ec2, 'eu-west-1').scanGpuInstances({ scopeTags: {} });

    expect(scan.instances.map((i) => [i.instanceId, i.gpu.source])).toEqual([['i-new', 'family-fallback']]);
    expect(scan.unknownTypes).toEqual(['p9.mega', 'zz1.big']);
    expect(scan.nonGpu).toBe(1);
  });

  it.each([
    ['AuthFailure', ErrorCode.AwsCredentials],
    ['RequestLimitExceeded', ErrorCode.AwsCall],
  ] as const)('turns %s into an AwsError with code %s', async (name, code) => {
    const error = serviceError(name);
    ec2Mock.on(DescribeInstancesCommand).rejects(error);

    const failure = await new Ec2Instances(ec2, 'eu-west-1')
      .scanGpuInstances({ scopeTags: {} })
      .catch((e: unknown) => e);

    expect(failure).toMatchObject({ code, operation: 'DescribeInstances', region: 'eu-west-1' });
    expect((failure as Error).cause).toBe(error);
  });
});

describe('Ec2Instances.describeForAction', () => {
  it('re-describes by id and reads both protections', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ OwnerId: '1', Instances: [instance('i-1')] }] });
    ec2Mock
      .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiStop' })
      .resolves({ DisableApiStop: { Value: true } });
    ec2Mock
      .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiTermination' })
      .resolves({ DisableApiTermination: { Value: false } });

    const facts = await new Ec2Instances(ec2, 'eu-west-1').describeForAction('i-1');

    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: ['i-1'] });
    expect(facts).toMatchObject({
      instanceId: 'i-1',
      state: 'running',
      protection: { stop: true, termination: false },
    });
  });

  it.each([
    ['not found', () => ec2Mock.on(DescribeInstancesCommand).rejects(serviceError('InvalidInstanceID.NotFound'))],
    [
      'terminated',
      () =>
        ec2Mock
          .on(DescribeInstancesCommand)
          .resolves({ Reservations: [{ Instances: [instance('i-1', { State: { Name: 'terminated' } })] }] }),
    ],
    [
      'shutting down',
      () =>
        ec2Mock
          .on(DescribeInstancesCommand)
          .resolves({ Reservations: [{ Instances: [instance('i-1', { State: { Name: 'shutting-down' } })] }] }),
    ],
    ['absent from the answer', () => ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] })],
  ])('says null when the instance is %s', async (_label, arrange) => {
    arrange();
    expect(await new Ec2Instances(ec2, 'eu-west-1').describeForAction('i-1')).toBeNull();
  });

  it('returns a stopped instance as it is (the caller sees the state changed)', async () => {
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance('i-1', { State: { Name: 'stopped' } })] }] });
    ec2Mock
      .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiStop' })
      .resolves({ DisableApiStop: { Value: false } })
      .on(DescribeInstanceAttributeCommand, { Attribute: 'disableApiTermination' })
      .resolves({ DisableApiTermination: { Value: false } });
    expect(await new Ec2Instances(ec2, 'eu-west-1').describeForAction('i-1')).toMatchObject({
      state: 'stopped',
      protection: { stop: false, termination: false },
    });
  });

  it('never reads an answer that does not state the protection as "unprotected"', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance('i-1')] }] });
    ec2Mock.on(DescribeInstanceAttributeCommand).resolves({});
    await expect(new Ec2Instances(ec2, 'eu-west-1').describeForAction('i-1')).rejects.toMatchObject({
      operation: 'DescribeInstanceAttribute',
      message: expect.stringContaining('malformed'),
    });
  });

  it('fails a re-describe whose instance has no state or launch time rather than guess', async () => {
    const { State: _state, LaunchTime: _launch, ...bare } = instance('i-1');
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [bare] }] });
    await expect(new Ec2Instances(ec2, 'eu-west-1').describeForAction('i-1')).rejects.toMatchObject({
      operation: 'DescribeInstances',
      message: expect.stringContaining('malformed'),
    });
  });

  it('names DescribeInstanceAttribute when the protection read fails', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance('i-1')] }] });
    ec2Mock.on(DescribeInstanceAttributeCommand).rejects(serviceError('UnauthorizedOperation', 403));
    await expect(new Ec2Instances(ec2, 'eu-west-1').describeForAction('i-1')).rejects.toMatchObject({
      code: ErrorCode.AwsCredentials,
      operation: 'DescribeInstanceAttribute',
    });
  });
});

describe('Ec2Instances.listWarnedNotRunning', () => {
  it('asks for instances with the warned tag key in every not-running state, 1000 a page', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    expect(await new Ec2Instances(ec2, 'eu-west-1').listWarnedNotRunning('gpu-reaper:warned')).toEqual([]);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({
      MaxResults: 1000,
      Filters: [
        { Name: 'instance-state-name', Values: ['stopping', 'stopped', 'shutting-down', 'terminated'] },
        { Name: 'tag-key', Values: ['gpu-reaper:warned'] },
      ],
    });
  });

  it('maps them to InstanceFacts with the stop time EC2 gives as the reason, whatever the type', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          OwnerId: '123456789012',
          Instances: [
            instance('i-stopped', {
              State: { Name: 'stopped', Code: 80 },
              StateTransitionReason: 'User initiated (2030-01-01 09:15:02 GMT)',
            }),
            instance('i-gone', { InstanceType: 'm5.large', State: { Name: 'terminated', Code: 48 } }),
          ],
        },
      ],
    });
    const listed = await new Ec2Instances(ec2, 'eu-west-1').listWarnedNotRunning('gpu-reaper:warned');
    expect(listed).toEqual([
      {
        instance: expect.objectContaining({ instanceId: 'i-stopped', state: 'stopped', accountId: '123456789012' }),
        stoppedAt: new Date('2030-01-01T09:15:02Z'),
      },
      { instance: expect.objectContaining({ instanceId: 'i-gone', state: 'terminated' }), stoppedAt: null },
    ]);
    expect(listed[0]?.instance.tags).toEqual({ Owner: 'ana@example.com' });
  });

  it('turns a failed listing into an AwsError naming DescribeInstances', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(serviceError('InternalError', 500));
    await expect(new Ec2Instances(ec2, 'eu-west-1').listWarnedNotRunning('gpu-reaper:warned')).rejects.toMatchObject({
      code: ErrorCode.AwsCall,
      operation: 'DescribeInstances',
    });
  });
});

describe('transitionTime', () => {
  it.each([
    ['User initiated (2030-01-01 09:15:02 GMT)', '2030-01-01T09:15:02.000Z'],
    ['User initiated (2030-01-01 09:15:02 UTC)', '2030-01-01T09:15:02.000Z'],
    ['', null],
    [undefined, null],
    ['Server.SpotInstanceTermination', null],
    ['User initiated (2030-13-45 99:15:02 GMT)', null],
  ])('reads %j as %s', (reason, expected) => {
    expect(transitionTime(reason)?.toISOString() ?? null).toBe(expected);
  });
});

describe('Ec2Instances mutations', () => {
  it('sends one command per action with the instance id', async () => {
    const adapter = new Ec2Instances(ec2, 'eu-west-1');

    await adapter.stop('i-1');
    await adapter.terminate('i-2');
    await adapter.setTags('i-3', { 'gpu-reaper:warned': 'idle@2030-01-01T10:00:00.000Z' });
    await adapter.removeTags('i-4', ['gpu-reaper:warned']);
    await adapter.setTags('i-5', {});
    await adapter.removeTags('i-6', []);

    expect(ec2Mock.commandCalls(StopInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: ['i-1'] });
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: ['i-2'] });
    expect(ec2Mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input)).toEqual([
      { Resources: ['i-3'], Tags: [{ Key: 'gpu-reaper:warned', Value: 'idle@2030-01-01T10:00:00.000Z' }] },
    ]);
    expect(ec2Mock.commandCalls(DeleteTagsCommand).map((call) => call.args[0].input)).toEqual([
      { Resources: ['i-4'], Tags: [{ Key: 'gpu-reaper:warned' }] },
    ]);
  });

  it('asks StopInstances to hibernate only when told to', async () => {
    const adapter = new Ec2Instances(ec2, 'eu-west-1');
    await adapter.stop('i-1', { hibernate: true });
    await adapter.stop('i-2', { hibernate: false });
    await adapter.stop('i-3');
    expect(ec2Mock.commandCalls(StopInstancesCommand).map((call) => call.args[0].input)).toEqual([
      { InstanceIds: ['i-1'], Hibernate: true },
      { InstanceIds: ['i-2'] },
      { InstanceIds: ['i-3'] },
    ]);
  });

  it.each([
    ['stop', StopInstancesCommand, 'StopInstances'],
    ['terminate', TerminateInstancesCommand, 'TerminateInstances'],
  ] as const)('turns a failed %s into an AwsError', async (method, command, operation) => {
    ec2Mock.on(command).rejects(serviceError('OperationNotPermitted'));
    await expect(new Ec2Instances(ec2, 'eu-west-1')[method]('i-1')).rejects.toMatchObject({
      code: ErrorCode.AwsCall,
      operation,
      message: expect.stringContaining('OperationNotPermitted'),
    });
  });
});
