/**
 * The GPU type catalog: what counts as a GPU, batches of ≤ 100 types, the cache, and unknown types (which fall
 * back to the family name without losing the other types of the request).
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
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
import { DESCRIBED_TYPES, GPU_FAMILIES, NEURON_FAMILIES } from '../../../helpers/instance-types';

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

/** moto's instance-type catalog (scraped from EC2), when moto is installed, as the integration tests need it. */
function motoCatalog(): Record<string, InstanceTypeInfo> | null {
  try {
    const script = 'import moto, os; print(os.path.dirname(moto.__file__))';
    const dir = execFileSync('python3', ['-c', script], { encoding: 'utf8' }).trim();
    const file = join(dir, 'ec2', 'resources', 'instance_types.json.gz');
    return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Record<string, InstanceTypeInfo>;
  } catch {
    return null;
  }
}

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
    ['a whole GPU', CATALOG['g5.xlarge'], { hasGpu: true, count: 1, memoryMiB: 22888 }],
    ['eight GPUs', CATALOG['p5.48xlarge'], { hasGpu: true, count: 8 }],
    ['a fractional GPU (Count 0)', CATALOG['g6f.large'], { hasGpu: true, count: 0 }],
    ['only GPU memory', { GpuInfo: { TotalGpuMemoryInMiB: 1024 } }, { hasGpu: true, count: 0 }],
    ['only a logical count', { GpuInfo: { Gpus: [{ LogicalGpuCount: 1 }] } }, { hasGpu: true, count: 0 }],
    ['no GpuInfo', { InstanceType: 'm5.large' } as InstanceTypeInfo, { hasGpu: false, count: 0 }],
    ['no answer at all', undefined, { hasGpu: false, count: 0 }],
    ['an empty GpuInfo', { GpuInfo: { Gpus: [] } }, { hasGpu: false, count: 0 }],
  ])('reads %s', (_label, info, expected) => {
    expect(gpuInfoFromSdk(info)).toMatchObject({ ...expected, source: 'instance-types' });
  });

  // DescribeInstanceTypes' answers as EC2 (and moto) give them.
  it.each([
    [
      'g4ad.xlarge',
      { hasGpu: true, count: 1, manufacturer: 'AMD', model: 'Radeon Pro V520', logicalCount: 1, partitionSize: 1 },
    ],
    ['dl1.24xlarge', { hasGpu: true, count: 8, manufacturer: 'Habana', model: 'Gaudi HL-205', logicalCount: 8 }],
    ['g6f.large', { hasGpu: true, count: 0, manufacturer: 'NVIDIA', logicalCount: 1, partitionSize: 0.125 }],
    ['gr6f.4xlarge', { hasGpu: true, count: 0, manufacturer: 'NVIDIA', logicalCount: 1, partitionSize: 0.5 }],
    ['p4d.24xlarge', { hasGpu: true, count: 8, manufacturer: 'NVIDIA', model: 'A100', memoryMiB: 327680 }],
    ['g5.12xlarge', { hasGpu: true, count: 4, manufacturer: 'NVIDIA', model: 'A10G', logicalCount: 4 }],
  ] as const)('reads the GPUs of a %s, maker included', (type, expected) => {
    expect(gpuInfoFromSdk(DESCRIBED_TYPES[type])).toEqual(
      expect.objectContaining({ ...expected, accelerator: 'gpu', source: 'instance-types' }),
    );
  });

  it.each([
    ['trn1.2xlarge', { count: 1, neuronCores: 2, model: 'Trainium', memoryMiB: 32768 }],
    ['inf2.xlarge', { count: 1, neuronCores: 2, model: 'Inferentia2' }],
  ] as const)('reads a %s as Neuron, not GPU', (type, expected) => {
    expect(gpuInfoFromSdk(DESCRIBED_TYPES[type])).toEqual(
      expect.objectContaining({ ...expected, hasGpu: false, accelerator: 'neuron', manufacturer: 'AWS' }),
    );
  });

  it('does not call a dl2q (Qualcomm inference accelerators, no GpuInfo) a GPU type', () => {
    expect(gpuInfoFromSdk(DESCRIBED_TYPES['dl2q.24xlarge'])).toEqual({
      hasGpu: false,
      count: 0,
      source: 'instance-types',
    });
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
  ])('calls %s a GPU type of unknown make', (type) => {
    expect(gpuInfoFromFamily(type)).toEqual({
      hasGpu: true,
      count: 0,
      source: 'family-fallback',
      accelerator: 'gpu',
      manufacturer: null,
    });
  });

  it.each([
    ['g4ad.16xlarge', 'AMD'],
    ['dl1.24xlarge', 'Habana'],
  ])('calls %s a GPU type made by %s', (type, manufacturer) => {
    expect(gpuInfoFromFamily(type)).toMatchObject({ hasGpu: true, manufacturer, source: 'family-fallback' });
  });

  it.each(['m5.large', 't3.micro', 'c7gn.xlarge', 'dl2q.24xlarge', 'gx.large', 'pq.large'])(
    'does not call %s a GPU type',
    (type) => {
      expect(gpuInfoFromFamily(type)).toEqual({ hasGpu: false, count: 0, source: 'family-fallback' });
    },
  );

  it.each(['inf2.xlarge', 'trn1.32xlarge', 'trn2.48xlarge'])('calls %s a Neuron type, not a GPU', (type) => {
    expect(gpuInfoFromFamily(type)).toMatchObject({ hasGpu: false, accelerator: 'neuron', manufacturer: 'AWS' });
  });

  it('agrees with the catalog: every family with a GpuInfo is a GPU by name, every Neuron family is Neuron', () => {
    for (const type of Object.values(GPU_FAMILIES)) expect(gpuInfoFromFamily(type).hasGpu, type).toBe(true);
    for (const type of Object.values(NEURON_FAMILIES)) {
      expect(gpuInfoFromFamily(type).accelerator, type).toBe('neuron');
    }
  });
});

describe.skipIf(motoCatalog() === null)("the fixtures against moto's catalog", () => {
  const catalog = motoCatalog() ?? {};
  const familiesWith = (field: 'GpuInfo' | 'NeuronInfo') => [
    ...new Set(Object.values(catalog).flatMap((info) => (info[field] ? [info.InstanceType!.split('.')[0]] : []))),
  ];

  it('copies the accelerator fields of each described type as moto has them', () => {
    for (const [type, described] of Object.entries(DESCRIBED_TYPES)) {
      const { GpuInfo, NeuronInfo, InferenceAcceleratorInfo } = catalog[type] ?? {};
      const real = { InstanceType: type, GpuInfo, NeuronInfo, InferenceAcceleratorInfo };
      expect(described, type).toEqual(JSON.parse(JSON.stringify(real)));
    }
  });

  it('lists every family with a GpuInfo, and every one with a NeuronInfo, each with a type of that family', () => {
    expect(Object.keys(GPU_FAMILIES).sort()).toEqual(familiesWith('GpuInfo').sort());
    expect(Object.keys(NEURON_FAMILIES).sort()).toEqual(familiesWith('NeuronInfo').sort());
    for (const [family, type] of Object.entries({ ...GPU_FAMILIES, ...NEURON_FAMILIES })) {
      expect(type.split('.')[0], type).toBe(family);
      expect(catalog[type], type).toBeDefined();
    }
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
    expect(gpu.get('p9.mega')).toMatchObject({ hasGpu: true, count: 0, source: 'family-fallback' });
    expect(gpu.get('zz9.huge')).toMatchObject({ hasGpu: false, count: 0, source: 'family-fallback' });
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

  it('keeps the maker, the logical count and the partition size of what EC2 answers, in any order', async () => {
    const described: InstanceTypeInfo[] = Object.values(DESCRIBED_TYPES);
    // EC2 (and moto) answer in their own order, not the request's.
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [...described].reverse() });
    const gpu = await new GpuTypeCatalog(ec2, 'us-east-1').resolve(Object.keys(DESCRIBED_TYPES));

    expect(gpu.get('g4ad.xlarge')).toMatchObject({ hasGpu: true, manufacturer: 'AMD' });
    expect(gpu.get('dl1.24xlarge')).toMatchObject({ hasGpu: true, count: 8, manufacturer: 'Habana' });
    expect(gpu.get('g6f.large')).toMatchObject({ hasGpu: true, count: 0, logicalCount: 1, partitionSize: 0.125 });
    expect(gpu.get('p4d.24xlarge')).toMatchObject({ hasGpu: true, count: 8, manufacturer: 'NVIDIA' });
    expect(gpu.get('trn1.2xlarge')).toMatchObject({ hasGpu: false, accelerator: 'neuron', neuronCores: 2 });
    expect(gpu.get('dl2q.24xlarge')).toMatchObject({ hasGpu: false, source: 'instance-types' });
    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand)).toHaveLength(1);
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
