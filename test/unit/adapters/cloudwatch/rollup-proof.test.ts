/**
 * When a quiet rollup is proven per GPU, and when it is not: a one-GPU instance's rollup is its GPU (one metric a
 * pass, no SampleCount, no per-GPU read), even when stale with nothing else listed; a multi-GPU rollup is still
 * proven, and a stale one-GPU rollup beside live per-GPU series reads them.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataInput,
  type GetMetricDataOutput,
  ListMetricsCommand,
  type Metric,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { GpuMetrics } from '../../../../shared/adapters/cloudwatch/gpu-metrics';

const cloudwatch = new CloudWatchClient({ region: 'us-east-1' });
const cwMock = mockClient(cloudwatch);
const source = { namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' };
const listed = { Namespace: source.namespace, MetricName: source.metric };
const now = new Date('2030-01-01T12:00:42Z');
const HOUR = 3_600_000;
// Launched at the window's start: no since-launch read, only the window's.
const launchTime = new Date('2030-01-01T11:00:00Z');
const window = { now, lookbackMs: HOUR, quietBelow: 5, sinceLaunchBelow: null };

const rollup = (id: string): Metric => ({ ...listed, Dimensions: [{ Name: 'InstanceId', Value: id }] });
const gpu = (id: string, index: number): Metric => ({
  ...listed,
  Dimensions: [
    { Name: 'InstanceId', Value: id },
    { Name: 'index', Value: String(index) },
  ],
});

/** Answers every query idle (1%) each minute of the window, or with no datapoint for the `silent` queries. */
function idleAnswers(silent: (query: NonNullable<GetMetricDataInput['MetricDataQueries']>[number]) => boolean) {
  return (input: GetMetricDataInput): GetMetricDataOutput => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((query) => {
      const minutes = silent(query)
        ? []
        : Array.from({ length: 60 }, (_, m) => new Date(launchTime.getTime() + m * 60_000));
      return { Id: query.Id, StatusCode: 'Complete', Timestamps: minutes, Values: minutes.map(() => 1) };
    }),
  });
}

/** Every query sent, as `stat` plus `gpu` (the index) or `rollup`. */
function sent(): string[] {
  return cwMock.commandCalls(GetMetricDataCommand).flatMap((call) =>
    (call.args[0].input.MetricDataQueries ?? []).map((query) => {
      const index = query.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'index')?.Value;
      return `${query.MetricStat?.Stat} ${index === undefined ? 'rollup' : `gpu ${index}`}`;
    }),
  );
}

beforeEach(() => cwMock.reset());

describe('proving a quiet rollup', () => {
  it('reads a one-GPU idle candidate with exactly one metric: its rollup, no probe', async () => {
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-one'), gpu('i-one', 0)] });
    cwMock.on(GetMetricDataCommand).callsFake(idleAnswers(() => false));
    const read = await new GpuMetrics(cloudwatch, 'us-east-1', source).read(
      [{ instanceId: 'i-one', launchTime, gpuCount: 1 }],
      window,
    );
    expect(sent()).toEqual(['Maximum rollup']);
    const telemetry = read.get('i-one')!;
    expect(telemetry).toMatchObject({ status: 'ok', source: 'instance-rollup' });
    // Every minute covered: the one GPU reported in each.
    expect(telemetry.points.filter((point) => point.partial)).toEqual([]);
    expect(telemetry.points).toHaveLength(60);
  });

  it('sends no SampleCount probe for a stale one-GPU rollup with nothing else listed (it has no samples either)', async () => {
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-stale')] });
    cwMock.on(GetMetricDataCommand).callsFake(idleAnswers(() => true));
    const read = await new GpuMetrics(cloudwatch, 'us-east-1', source).read(
      [{ instanceId: 'i-stale', launchTime, gpuCount: 1 }],
      window,
    );
    expect(sent()).toEqual(['Maximum rollup']);
    expect(read.get('i-stale')).toMatchObject({ status: 'ok', points: [] });
  });

  it('reads the live per-GPU series of a stale one-GPU rollup', async () => {
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-moved'), gpu('i-moved', 0)] });
    cwMock
      .on(GetMetricDataCommand)
      .callsFake(idleAnswers((query) => !query.MetricStat?.Metric?.Dimensions?.some((d) => d.Name === 'index')));
    const read = await new GpuMetrics(cloudwatch, 'us-east-1', source).read(
      [{ instanceId: 'i-moved', launchTime, gpuCount: 1 }],
      window,
    );
    expect(sent()).toEqual(['Maximum rollup', 'Maximum rollup', 'Maximum gpu 0']);
    expect(read.get('i-moved')?.points).toHaveLength(60);
  });

  it('still proves a multi-GPU rollup: by its per-GPU series, else by its SampleCount', async () => {
    cwMock
      .on(ListMetricsCommand)
      .resolves({ Metrics: [rollup('i-four'), rollup('i-two'), gpu('i-two', 0), gpu('i-two', 1)] });
    cwMock.on(GetMetricDataCommand).callsFake(idleAnswers(() => false));
    await new GpuMetrics(cloudwatch, 'us-east-1', source).read(
      [
        { instanceId: 'i-four', launchTime, gpuCount: 4 },
        { instanceId: 'i-two', launchTime, gpuCount: 2 },
      ],
      window,
    );
    expect(sent().sort()).toEqual(
      [
        'Maximum rollup',
        'Maximum rollup',
        'Maximum rollup',
        'Maximum rollup',
        'Maximum gpu 0',
        'Maximum gpu 1',
        'SampleCount rollup',
      ].sort(),
    );
  });
});
