/**
 * Seeding a local endpoint (moto) through the real SDK: GPU (and other) instances with tags, and GPU utilization
 * series shaped the way the CloudWatch agent's `nvidia_smi` plugin publishes them, and EC2's own host metrics. Used
 * by the demo and the tests.
 */
import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  type _InstanceType,
  DescribeImagesCommand,
  type EC2Client,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';

/** What to launch. */
interface LaunchSpec {
  readonly instanceType: string;
  /** @default 1 */
  readonly count?: number;
  readonly tags?: Readonly<Record<string, string>>;
  /** @default an Amazon image moto knows */
  readonly imageId?: string;
  readonly stopProtection?: boolean;
  readonly terminationProtection?: boolean;
}

/** One minute of GPU utilization: a value for every GPU, or one value per GPU (index order). */
interface SeriesPoint {
  readonly at: Date | number;
  readonly value: number | readonly number[];
}

/** How the agent publishes: per-GPU series, the instance rollup, or both. */
interface SeriesShape {
  /** Per-GPU series (`InstanceId`, `index`, `name`); 0 for none. @default the length of array values, else 0 */
  readonly perGpu?: number;
  /** The `[InstanceId]` rollup as the agent's aggregation sends it (a statistic set). @default !perGpu */
  readonly rollup?: boolean;
  /** @default 'CWAgent' */
  readonly namespace?: string;
  /** @default 'nvidia_smi_utilization_gpu' */
  readonly metric?: string;
  /** The `name` dimension. @default 'NVIDIA A10G' */
  readonly gpuName?: string;
}

/** moto's built-in images survive a reset, so one look-up serves the whole test file. */
let image: Promise<string> | undefined;

/** An image id moto serves (any id passes RunInstances, but a real one keeps the fixtures honest). */
function defaultImageId(ec2: EC2Client): Promise<string> {
  image ??= ec2
    .send(new DescribeImagesCommand({ Owners: ['amazon'] }))
    .then((answer) => answer.Images?.find((candidate) => candidate.ImageId)?.ImageId ?? 'ami-12c6146b');
  image.catch(() => {
    image = undefined;
  });
  return image;
}

/** Launches `count` instances in one reservation; returns their ids. */
async function launchInstances(ec2: EC2Client, spec: LaunchSpec): Promise<string[]> {
  const count = spec.count ?? 1;
  const tags = Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  const answer = await ec2.send(
    new RunInstancesCommand({
      ImageId: spec.imageId ?? (await defaultImageId(ec2)),
      InstanceType: spec.instanceType as _InstanceType,
      MinCount: count,
      MaxCount: count,
      DisableApiStop: spec.stopProtection,
      ...(tags.length > 0 ? { TagSpecifications: [{ ResourceType: 'instance', Tags: tags }] } : {}),
    }),
  );
  const ids = (answer.Instances ?? []).map((instance) => instance.InstanceId!);
  if (spec.terminationProtection) {
    // moto honours DisableApiTermination only through ModifyInstanceAttribute.
    for (const id of ids) {
      await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: true } }));
    }
  }
  return ids;
}

/**
 * Launches `reservations` single-instance reservations, a few at a time. moto pages DescribeInstances by
 * reservation, not by instance, so only this makes a second page at `MaxResults: 1000`.
 */
async function launchReservations(
  ec2: EC2Client,
  spec: LaunchSpec & { readonly reservations: number; readonly concurrency?: number },
): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const imageId = spec.imageId ?? (await defaultImageId(ec2));
  const worker = async () => {
    while (next < spec.reservations) {
      next += 1;
      ids.push(...(await launchInstances(ec2, { ...spec, imageId, count: spec.count ?? 1 })));
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency ?? 8 }, worker));
  return ids;
}

/** Stops instances (they leave the scan). */
async function stopInstances(ec2: EC2Client, ids: readonly string[]): Promise<void> {
  await ec2.send(new StopInstancesCommand({ InstanceIds: [...ids] }));
}

/**
 * The PutMetricData entries for one instance's GPU utilization: per-GPU series with `InstanceId`, `index` and
 * `name` dimensions, and/or the `[InstanceId]` rollup as a statistic set whose Maximum is the busiest GPU (and
 * whose Average is not: reading it would be the bug).
 */
function gpuSeriesData(instanceId: string, points: readonly SeriesPoint[], shape: SeriesShape = {}): MetricDatum[] {
  const arrayLength = points.find((point) => Array.isArray(point.value))?.value as readonly number[] | undefined;
  const perGpu = shape.perGpu ?? arrayLength?.length ?? 0;
  const rollup = shape.rollup ?? perGpu === 0;
  const MetricName = shape.metric ?? 'nvidia_smi_utilization_gpu';
  const data: MetricDatum[] = [];
  for (const point of points) {
    const Timestamp = new Date(point.at);
    const values = Array.from({ length: Math.max(perGpu, 1) }, (_, gpu) =>
      typeof point.value === 'number' ? point.value : (point.value[gpu] ?? 0),
    );
    for (let gpu = 0; gpu < perGpu; gpu++) {
      const Dimensions = [
        { Name: 'InstanceId', Value: instanceId },
        { Name: 'index', Value: String(gpu) },
        { Name: 'name', Value: shape.gpuName ?? 'NVIDIA A10G' },
      ];
      data.push({ MetricName, Dimensions, Timestamp, Value: values[gpu]!, Unit: 'Percent' });
    }
    if (rollup) {
      const StatisticValues = {
        Maximum: Math.max(...values),
        Minimum: Math.min(...values),
        Sum: values.reduce((sum, value) => sum + value, 0),
        SampleCount: values.length,
      };
      data.push({ MetricName, Dimensions: [{ Name: 'InstanceId', Value: instanceId }], Timestamp, StatisticValues });
    }
  }
  return data;
}

/** Sends metric data in PutMetricData calls of ≤ 1000 values. */
async function putMetricData(cw: CloudWatchClient, data: readonly MetricDatum[], namespace = 'CWAgent'): Promise<void> {
  for (let start = 0; start < data.length; start += 1000) {
    await cw.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(start, start + 1000) }));
  }
}

/** Publishes one instance's GPU utilization (see {@link gpuSeriesData}), ≤ 1000 values a call. */
async function putGpuSeries(
  cw: CloudWatchClient,
  instanceId: string,
  points: readonly SeriesPoint[],
  shape: SeriesShape = {},
): Promise<void> {
  await putMetricData(cw, gpuSeriesData(instanceId, points, shape), shape.namespace);
}

/** One period of EC2 host metrics: its start, the CPU maximum and the network in + out per minute. */
interface HostPeriod {
  readonly at: Date | number;
  readonly cpu: number;
  /** Network in + out, MiB per minute (split evenly between in and out). */
  readonly mibPerMinute: number;
}

/**
 * The PutMetricData entries (namespace `AWS/EC2`) of an instance's host metrics as EC2 publishes them: one
 * `CPUUtilization`, `NetworkIn` and `NetworkOut` datapoint per period, the network ones in bytes of the period.
 *
 * @param periodMinutes 5 with basic monitoring, 1 with detailed @default 5
 */
function hostSeriesData(instanceId: string, periods: readonly HostPeriod[], periodMinutes = 5): MetricDatum[] {
  const Dimensions = [{ Name: 'InstanceId', Value: instanceId }];
  return periods.flatMap((period) => {
    const Timestamp = new Date(period.at);
    const bytes = (period.mibPerMinute * 1_048_576 * periodMinutes) / 2;
    return [
      { MetricName: 'CPUUtilization', Dimensions, Timestamp, Value: period.cpu, Unit: 'Percent' },
      { MetricName: 'NetworkIn', Dimensions, Timestamp, Value: bytes, Unit: 'Bytes' },
      { MetricName: 'NetworkOut', Dimensions, Timestamp, Value: bytes, Unit: 'Bytes' },
    ] satisfies MetricDatum[];
  });
}

/** `count` consecutive minutes from `start`, each with `value` (a number or per-GPU values). */
function minutes(start: Date | number | string, count: number, value: SeriesPoint['value']): SeriesPoint[] {
  const first = new Date(start).getTime();
  return Array.from({ length: count }, (_, minute) => ({ at: first + minute * 60_000, value }));
}

export type { HostPeriod, LaunchSpec, SeriesPoint, SeriesShape };
export {
  defaultImageId,
  gpuSeriesData,
  hostSeriesData,
  launchInstances,
  launchReservations,
  minutes,
  putGpuSeries,
  putMetricData,
  stopInstances,
};
