/**
 * The GPU type catalog: what counts as a GPU, batches of ≤ 100 types, the cache, and unknown types (which fall
 * back to the family name without losing the other types of the request).
 */
import {
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesRequest,
  EC2Client,
  EC2ServiceException,
  type InstanceTypeInfo,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  GpuTypeCatalog,
  gpuInfoFromFamily,
  gpuInfoFromSdk,
  typesNamedIn,
} from '../../../../shared/adapters/ec2/gpu-types';
import { ErrorCode } from '../../../../shared/errors';

const ec2 = new EC2Client({ region: 'us-east-1' });
const ec2Mock = mockClient(ec2);

const CATALOG: Record<string, InstanceTypeInfo> = {
  'g5.xlarge': {
    InstanceType: 'g5.xlarge',
    GpuInfo: { Gpus: [{ Count: 1, LogicalGpuCount: 1 }], TotalGpuMemoryInMiB: 22888 },
  },
  'p5.48xlarge': { InstanceType: 'p5.48xlarge', GpuInfo: { Gpus: [{ Count: 8 }], TotalGpuMemoryInMiB: 655360 } },
  'g6f.large': {
    InstanceType: 'g6f.large',
    GpuInfo: { Gpus: [{ Count: 0, LogicalGpuCount: 1, GpuPartitionSize: 0.125 }], TotalGpuMemoryInMiB: 2861 },
  },
  't3.micro': { InstanceType: 't3.micro' },
};

const unknownType = (names: string[]) =>
  new EC2ServiceException({
    name: 'InvalidInstanceType',
    message: `The following supplied instance types do not exist: [${names.join(', ')}]`,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

/** Answers like EC2: any unknown type in the request fails the whole request, naming the unknown ones. */
function behaveLikeEc2(options: { nameUnknown: boolean } = { nameUnknown: true }) {
  ec2Mock.on(DescribeInstanceTypesCommand).callsFake((input: DescribeInstanceTypesRequest) => {
    const asked = input.InstanceTypes ?? [];
    const unknown = asked.filter((type) => !CATALOG[type] && !type.startsWith('m5.'));
    if (unknown.length > 0) {
      throw options.nameUnknown ? unknownType(unknown) : unknownType([]);
    }
    return { InstanceTypes: asked.map((type) => CATALOG[type] ?? { InstanceType: type }) };
  });
}

describe('gpuInfoFromSdk', () => {
  it.each([
    ['a whole GPU', CATALOG['g5.xlarge']?.GpuInfo, { hasGpu: true, count: 1, memoryMiB: 22888 }],
    ['eight GPUs', CATALOG['p5.48xlarge']?.GpuInfo, { hasGpu: true, count: 8 }],
    ['a fractional GPU (Count 0)', CATALOG['g6f.large']?.GpuInfo, { hasGpu: true, count: 0 }],
    ['only GPU memory', { TotalGpuMemoryInMiB: 1024 }, { hasGpu: true, count: 0 }],
    ['only a logical count', { Gpus: [{ LogicalGpuCount: 1 }] }, { hasGpu: true, count: 0 }],
    ['no GpuInfo', undefined, { hasGpu: false, count: 0 }],
    ['an empty GpuInfo', { Gpus: [] }, { hasGpu: false, count: 0 }],
  ])('reads %s', (_label, info, expected) => {
    expect(gpuInfoFromSdk(info)).toMatchObject({ ...expected, source: 'instance-types' });
  });
});

describe('gpuInfoFromFamily', () => {
  it.each([
    'p3.2xlarge',
    'p4d.24xlarge',
    'p5e.48xlarge',
    'p6-b200.48xlarge',
    'p6e-gb200.36xlarge',
    'g4dn.xlarge',
    'g5g.xlarge',
    'g6f.large',
    'gr6.4xlarge',
    'g7e.2xlarge',
    'p9.mega',
  ])('calls %s a GPU type', (type) => {
    expect(gpuInfoFromFamily(type)).toEqual({ hasGpu: true, count: 0, source: 'family-fallback' });
  });

  it.each([
    'm5.large',
    't3.micro',
    'c7gn.xlarge',
    'inf2.xlarge',
    'trn1.32xlarge',
    'dl1.24xlarge',
    'gx.large',
    'pq.large',
  ])('does not call %s a GPU type', (type) => {
    expect(gpuInfoFromFamily(type).hasGpu).toBe(false);
  });
});

describe('typesNamedIn', () => {
  it('finds the requested types an error message names, and only whole names', () => {
    const message = 'The following supplied instance types do not exist: [zz9.huge, p9.mega]';
    expect(typesNamedIn(message, ['g5.xlarge', 'zz9.huge', 'p9.mega', 'g5.xlarg'])).toEqual(['zz9.huge', 'p9.mega']);
  });
});

describe('GpuTypeCatalog', () => {
  beforeEach(() => ec2Mock.reset());

  it('asks about every type once, at most 100 a request, and caches the answers', async () => {
    behaveLikeEc2();
    const types = ['g5.xlarge', 'p5.48xlarge', ...Array.from({ length: 248 }, (_, n) => `m5.size${n}`)];
    const catalog = new GpuTypeCatalog(ec2, 'us-east-1');

    const first = await catalog.resolve([...types, 'g5.xlarge']);
    const second = await catalog.resolve(['g5.xlarge', 'p5.48xlarge']);

    const calls = ec2Mock.commandCalls(DescribeInstanceTypesCommand);
    expect(calls.map((call) => call.args[0].input.InstanceTypes?.length)).toEqual([100, 100, 50]);
    expect(first.size).toBe(250);
    expect(first.get('p5.48xlarge')).toMatchObject({ hasGpu: true, count: 8, source: 'instance-types' });
    expect(first.get('m5.size7')).toMatchObject({ hasGpu: false, source: 'instance-types' });
    expect(second.get('g5.xlarge')?.count).toBe(1);
    expect(catalog.size).toBe(250);
  });

  it('falls back to the family for the types EC2 names as unknown, and still describes the others', async () => {
    behaveLikeEc2();
    const catalog = new GpuTypeCatalog(ec2, 'us-east-1');

    const gpu = await catalog.resolve(['g5.xlarge', 'p9.mega', 'zz9.huge', 'g6f.large']);

    expect(gpu.get('g5.xlarge')).toMatchObject({ hasGpu: true, source: 'instance-types' });
    expect(gpu.get('g6f.large')).toMatchObject({ hasGpu: true, count: 0, source: 'instance-types' });
    expect(gpu.get('p9.mega')).toEqual({ hasGpu: true, count: 0, source: 'family-fallback' });
    expect(gpu.get('zz9.huge')).toEqual({ hasGpu: false, count: 0, source: 'family-fallback' });
    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand)).toHaveLength(2);
    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand)[1]?.args[0].input.InstanceTypes).toEqual([
      'g5.xlarge',
      'g6f.large',
    ]);
  });

  it('splits the request when the error does not say which types are unknown', async () => {
    behaveLikeEc2({ nameUnknown: false });
    const catalog = new GpuTypeCatalog(ec2, 'us-east-1');

    const gpu = await catalog.resolve(['g5.xlarge', 'p5.48xlarge', 't3.micro', 'p9.mega']);

    expect(gpu.get('g5.xlarge')?.source).toBe('instance-types');
    expect(gpu.get('p5.48xlarge')?.source).toBe('instance-types');
    expect(gpu.get('t3.micro')).toMatchObject({ hasGpu: false, source: 'instance-types' });
    expect(gpu.get('p9.mega')).toMatchObject({ hasGpu: true, source: 'family-fallback' });
  });

  it('treats a type missing from a successful answer as unknown', async () => {
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [CATALOG['g5.xlarge']!] });
    const gpu = await new GpuTypeCatalog(ec2, 'us-east-1').resolve(['g5.xlarge', 'g9.new']);
    expect(gpu.get('g9.new')).toMatchObject({ hasGpu: true, source: 'family-fallback' });
  });

  it('falls back by family, caching nothing and keeping the failure, when DescribeInstanceTypes is throttled', async () => {
    const throttled = new EC2ServiceException({
      name: 'RequestLimitExceeded',
      message: 'Request limit exceeded.',
      $fault: 'client',
      $metadata: { httpStatusCode: 503 },
    });
    ec2Mock
      .on(DescribeInstanceTypesCommand)
      .rejectsOnce(throttled)
      .resolves({ InstanceTypes: [CATALOG['g5.xlarge']!] });
    const catalog = new GpuTypeCatalog(ec2, 'us-east-1');

    const first = await catalog.resolve(['g5.xlarge', 'm5.large']);
    expect(first.get('g5.xlarge')).toMatchObject({ hasGpu: true, source: 'family-fallback' });
    expect(first.get('m5.large')).toMatchObject({ hasGpu: false, source: 'family-fallback' });
    expect(catalog.size).toBe(0);
    expect(catalog.takeFailures()).toEqual([expect.objectContaining({ operation: 'DescribeInstanceTypes' })]);
    expect(catalog.takeFailures()).toEqual([]);

    // The next resolve asks again and gets the real answer.
    expect((await catalog.resolve(['g5.xlarge'])).get('g5.xlarge')).toMatchObject({ source: 'instance-types' });
  });

  it('fails with an AwsError, and caches nothing, when EC2 refuses the credentials', async () => {
    const denied = new EC2ServiceException({
      name: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
    });
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(denied);
    const catalog = new GpuTypeCatalog(ec2, 'us-east-1');

    await expect(catalog.resolve(['g5.xlarge'])).rejects.toMatchObject({
      code: ErrorCode.AwsCredentials,
      operation: 'DescribeInstanceTypes',
    });
    expect(catalog.size).toBe(0);
  });
});
