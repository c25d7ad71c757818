/**
 * Which instance types have a GPU, asked of `DescribeInstanceTypes` once per type and remembered for the life of
 * the catalog (a Lambda container keeps it across passes). A type EC2 does not know never fails a pass: the
 * family name decides, and the answer says so (`source: 'family-fallback'`).
 */
import {
  type _InstanceType,
  type EC2Client,
  type InstanceTypeInfo,
  type NeuronInfo,
  paginateDescribeInstanceTypes,
} from '@aws-sdk/client-ec2';
import type { GpuInfo } from '../../engine/types';
import { type AwsError, ErrorCode } from '../../errors';
import { awsErrorCode, toAwsError } from '../aws/aws-errors';

/** DescribeInstanceTypes accepts at most 100 types per request. */
const TYPES_PER_REQUEST = 100;

/**
 * GPU families by name: `p2`…`p6e-gb200`, `g2`…`g7e`, `gr6`/`gr6f` (graphics-heavy L4), and `dl1` (Habana Gaudi).
 * No other current family starts with `p` or `g` followed by a digit, so the name is a safe last resort. The
 * role's stop/terminate patterns (`infra/constructs/gpu-reaper/permissions.ts`) cover every name matched here.
 */
const GPU_FAMILY = /^(?:(?:p|gr?)\d|dl1\.)/;

/** Trainium and Inferentia families by name (`trn1`, `trn1n`, `trn2`, `inf1`, `inf2`): Neuron, not GPU. */
const NEURON_FAMILY = /^(?:trn|inf)\d/;

/**
 * The families whose GPU maker the name tells, for the family fallback: the GPUs no nvidia-smi can measure. Every
 * other GPU family in EC2's catalog is NVIDIA, but an unknown name stays `null` (unknown) rather than guessed.
 */
const MAKER_BY_FAMILY: Readonly<Record<string, string>> = { g4ad: 'AMD', dl1: 'Habana' };

/** Codes EC2 (and moto) use when a request names a type it does not know. */
const UNKNOWN_TYPE_CODES = new Set(['InvalidInstanceType', 'InvalidInstanceType.NotFound']);

/** Neuron facts (Trainium, Inferentia) from `NeuronInfo`; `null` when the type has no Neuron device. */
function neuronInfoFromSdk(info: NeuronInfo | undefined): GpuInfo | null {
  const devices = info?.NeuronDevices ?? [];
  const count = devices.reduce((sum, device) => sum + (device.Count ?? 0), 0);
  if (count === 0) return null;
  const cores = devices.reduce((sum, device) => sum + (device.Count ?? 0) * (device.CoreInfo?.Count ?? 0), 0);
  const memoryMiB = info?.TotalNeuronDeviceMemoryInMiB ?? 0;
  return {
    hasGpu: false,
    count,
    source: 'instance-types',
    accelerator: 'neuron',
    manufacturer: 'AWS',
    ...(devices[0]?.Name ? { model: devices[0].Name } : {}),
    ...(cores > 0 ? { neuronCores: cores } : {}),
    ...(memoryMiB > 0 ? { memoryMiB } : {}),
  };
}

/**
 * Accelerator facts from DescribeInstanceTypes: `GpuInfo` (maker, physical and logical count, partition size;
 * fractional GPUs such as g6f's `Count: 0` still count as GPU), else `NeuronInfo` (Trainium, Inferentia).
 */
function gpuInfoFromSdk(info: InstanceTypeInfo | undefined): GpuInfo {
  const gpus = info?.GpuInfo?.Gpus ?? [];
  const count = gpus.reduce((sum, gpu) => sum + (gpu.Count ?? 0), 0);
  const logical = gpus.reduce((sum, gpu) => sum + (gpu.LogicalGpuCount ?? 0), 0);
  const memoryMiB = info?.GpuInfo?.TotalGpuMemoryInMiB ?? 0;
  const hasGpu = count > 0 || logical > 0 || memoryMiB > 0;
  if (!hasGpu) {
    const neuron = neuronInfoFromSdk(info?.NeuronInfo);
    if (neuron) return neuron;
  }
  const first = gpus[0];
  return {
    hasGpu,
    count,
    source: 'instance-types',
    ...(memoryMiB > 0 ? { memoryMiB } : {}),
    ...(hasGpu
      ? {
          accelerator: 'gpu' as const,
          manufacturer: first?.Manufacturer ?? null,
          ...(first?.Name ? { model: first.Name } : {}),
          ...(gpus.some((gpu) => gpu.LogicalGpuCount !== undefined) ? { logicalCount: logical } : {}),
          ...(first?.GpuPartitionSize !== undefined ? { partitionSize: first.GpuPartitionSize } : {}),
        }
      : {}),
  };
}

/** Accelerator facts of a type EC2 did not describe, from its family name alone (the maker only where it tells). */
function gpuInfoFromFamily(instanceType: string): GpuInfo {
  if (GPU_FAMILY.test(instanceType)) {
    const family = instanceType.split('.')[0] ?? '';
    return {
      hasGpu: true,
      count: 0,
      source: 'family-fallback',
      accelerator: 'gpu',
      manufacturer: MAKER_BY_FAMILY[family] ?? null,
    };
  }
  if (NEURON_FAMILY.test(instanceType)) {
    return { hasGpu: false, count: 0, source: 'family-fallback', accelerator: 'neuron', manufacturer: 'AWS' };
  }
  return { hasGpu: false, count: 0, source: 'family-fallback' };
}

/** The requested types an `InvalidInstanceType` message names (`…do not exist: [zz9.huge, p9.big]`). */
function typesNamedIn(message: string, requested: readonly string[]): string[] {
  return requested.filter((type) => new RegExp(`(^|[^\\w.-])${type.replace(/\./g, '\\.')}($|[^\\w.-])`).test(message));
}

/**
 * GPU facts per instance type, cached per type. Shareable across passes in one region (types and their GPUs do
 * not change under a running container).
 */
class GpuTypeCatalog {
  readonly #client: EC2Client;
  readonly #region: string;
  readonly #known = new Map<string, GpuInfo>();
  readonly #failures: AwsError[] = [];

  constructor(client: EC2Client, region: string) {
    this.#client = client;
    this.#region = region;
  }

  /**
   * GPU facts for every type in `types`, asking EC2 only about the ones not cached yet (≤ 100 per request).
   *
   * A failing DescribeInstanceTypes (throttled, 5xx, timeout) does not fail this: the family name decides for
   * the types of that request, uncached, and the failure waits in {@link takeFailures}.
   *
   * @throws AwsError when DescribeInstanceTypes refuses the credentials
   */
  async resolve(types: Iterable<string>): Promise<Map<string, GpuInfo>> {
    const wanted = [...new Set(types)];
    const missing = wanted.filter((type) => !this.#known.has(type));
    for (let start = 0; start < missing.length; start += TYPES_PER_REQUEST) {
      await this.#describe(missing.slice(start, start + TYPES_PER_REQUEST));
    }
    return new Map(wanted.map((type) => [type, this.#known.get(type) ?? gpuInfoFromFamily(type)]));
  }

  /** Failures absorbed since the last call (the family name decided instead); reading them forgets them. */
  takeFailures(): AwsError[] {
    return this.#failures.splice(0);
  }

  /** Types resolved so far (for tests and diagnostics). */
  get size(): number {
    return this.#known.size;
  }

  /**
   * Describes `batch`; when EC2 rejects it for naming an unknown type, the types the message names fall back to
   * their family and the rest is asked again; when the message names none, the batch is split in halves.
   */
  async #describe(batch: readonly string[]): Promise<void> {
    if (batch.length === 0) return;
    let infos: InstanceTypeInfo[];
    try {
      infos = await this.#fetch(batch);
    } catch (error) {
      if (!UNKNOWN_TYPE_CODES.has(awsErrorCode(error) ?? '')) {
        const failure = toAwsError(error, 'DescribeInstanceTypes', this.#region);
        if (failure.code === ErrorCode.AwsCredentials) throw failure;
        // Throttled, failing or unreachable: the family name decides for this call only (nothing cached, so the
        // next resolve asks again), and the failure is kept for the caller to report.
        this.#failures.push(failure);
        return;
      }
      if (batch.length === 1) {
        this.#known.set(batch[0]!, gpuInfoFromFamily(batch[0]!));
        return;
      }
      const named = typesNamedIn(String((error as Error).message ?? ''), batch);
      if (named.length > 0 && named.length < batch.length) {
        for (const type of named) this.#known.set(type, gpuInfoFromFamily(type));
        await this.#describe(batch.filter((type) => !named.includes(type)));
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.#describe(batch.slice(0, half));
      await this.#describe(batch.slice(half));
      return;
    }
    for (const info of infos) {
      if (info.InstanceType) this.#known.set(info.InstanceType, gpuInfoFromSdk(info));
    }
    // A type asked for but absent from a successful answer is unknown too.
    for (const type of batch) if (!this.#known.has(type)) this.#known.set(type, gpuInfoFromFamily(type));
  }

  async #fetch(batch: readonly string[]): Promise<InstanceTypeInfo[]> {
    const infos: InstanceTypeInfo[] = [];
    // The SDK's type list lags new families; EC2 itself is the judge of what exists.
    const input = { InstanceTypes: [...batch] as _InstanceType[] };
    for await (const page of paginateDescribeInstanceTypes({ client: this.#client }, input)) {
      infos.push(...(page.InstanceTypes ?? []));
    }
    return infos;
  }
}

export { GPU_FAMILY, GpuTypeCatalog, gpuInfoFromFamily, gpuInfoFromSdk, NEURON_FAMILY, typesNamedIn };
