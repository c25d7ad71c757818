/**
 * The history reader's fleet-report options, against mocked SDK clients: 5-minute periods, per-GPU series read
 * even where a rollup exists, busy GPUs counted per minute (the same GPU across sources once), batches of instances;
 * and without them the backtest's read unchanged (the rollup, 1-minute periods, no counts).
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  ListMetricsCommand,
  type ListMetricsCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { GpuHistory } from '../../../shared/adapters/cloudwatch/gpu-history-metrics';

const cloudwatch = mockClient(CloudWatchClient);
const MINUTE = 60_000;
const NOW = Date.parse('2026-11-21T12:00:00Z');
const FROM = NOW - 60 * MINUTE;
const SOURCES = [
  { namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' },
  { namespace: 'DeepLearningTrain', metric: 'GPU Usage' },
];
const id = (value: string) => ({ Name: 'InstanceId', Value: value });

/** i-a: a CWAgent rollup and 4 per-GPU series, and gpumon's GPU 0; i-b: a rollup only. */
const LISTED: Record<string, { Dimensions: { Name: string; Value: string }[] }[]> = {
  CWAgent: [
    { Dimensions: [id('i-a')] },
    ...[0, 1, 2, 3].map((gpu) => ({ Dimensions: [id('i-a'), { Name: 'index', Value: String(gpu) }] })),
    { Dimensions: [id('i-b')] },
  ],
  DeepLearningTrain: [{ Dimensions: [id('i-a'), { Name: 'GPUNumber', Value: '0' }] }],
};

/** Per series (by its GPU, or `rollup`): [minute offset, value] datapoints at the period's start. */
const VALUES: Record<string, [number, number][]> = {
  'i-a/0': [[0, 60]],
  'i-a/1': [[0, 10]],
  'i-a/2': [[0, 3]],
  'i-a/3': [[5, 60]],
  'i-a/rollup': [
    [0, 60],
    [5, 60],
  ],
  'i-b/rollup': [[10, 40]],
};

beforeEach(() => {
  cloudwatch.reset();
  cloudwatch.on(ListMetricsCommand).callsFake((input: ListMetricsCommandInput) => ({
    Metrics: LISTED[input.Namespace ?? ''] ?? [],
  }));
  cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((query) => {
      const dimensions = query.MetricStat?.Metric?.Dimensions ?? [];
      const instance = dimensions.find((d) => d.Name === 'InstanceId')?.Value;
      const gpu = dimensions.find((d) => d.Name === 'index' || d.Name === 'GPUNumber')?.Value ?? 'rollup';
      const points = VALUES[`${instance}/${gpu}`] ?? [];
      return {
        Id: query.Id,
        Timestamps: points.map(([minute]) => new Date(FROM + minute * MINUTE)),
        Values: points.map(([, value]) => value),
      };
    }),
  }));
});

const reader = (options = {}) =>
  new GpuHistory(new CloudWatchClient({ region: 'us-east-1' }), 'us-east-1', SOURCES, { clock: () => NOW, ...options });
const queries = () =>
  cloudwatch.commandCalls(GetMetricDataCommand).flatMap((call) => call.args[0].input.MetricDataQueries ?? []);

describe('GpuHistory with the fleet report options', () => {
  it('reads per-GPU series at 5 minutes and counts the GPUs busy at once, the same GPU across sources once', async () => {
    const read = await reader({ periodSeconds: 300, busyThreshold: 5 }).read({
      from: new Date(FROM),
      to: new Date(NOW),
    });
    const a = read.find((entry) => entry.instanceId === 'i-a');
    expect(queries().every((query) => query.MetricStat?.Period === 300)).toBe(true);
    // i-a's rollup is not read: its 4 CWAgent GPUs and gpumon's GPU 0 are.
    expect(queries().filter((query) => query.MetricStat?.Metric?.Dimensions?.[0]?.Value === 'i-a')).toHaveLength(5);
    expect(a).toMatchObject({ source: 'per-gpu', gpuCount: 4 });
    expect([...(a?.busyGpus ?? [])].slice(0, 11)).toEqual([2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 0]);
    expect([...(a?.minutes ?? [])].slice(0, 10)).toEqual([60, 60, 60, 60, 60, 60, 60, 60, 60, 60]);
    const b = read.find((entry) => entry.instanceId === 'i-b');
    expect(b).toMatchObject({ source: 'instance-rollup', gpuCount: 0 });
    expect(b?.busyGpus).toBeUndefined();
  });

  it('hands the instances over in batches', async () => {
    const batches: string[][] = [];
    for await (const batch of reader({ instancesPerBatch: 1 }).batches({ from: new Date(FROM), to: new Date(NOW) })) {
      batches.push(batch.map((entry) => entry.instanceId));
    }
    expect(batches).toEqual([['i-a'], ['i-b']]);
  });

  it('reads as the backtest always did without them: rollups first, 1-minute periods, no counts', async () => {
    const read = await reader().read({ from: new Date(FROM), to: new Date(NOW) });
    expect(queries().every((query) => query.MetricStat?.Period === 60)).toBe(true);
    // i-a: the CWAgent rollup and gpumon's only (per-GPU) series.
    expect(queries().filter((query) => query.MetricStat?.Metric?.Dimensions?.[0]?.Value === 'i-a')).toHaveLength(2);
    const a = read.find((entry) => entry.instanceId === 'i-a');
    expect(a?.busyGpus).toBeUndefined();
    expect(a?.gpuCount).toBeUndefined();
    // 1-minute periods: each datapoint stays in its own minute.
    expect([...(a?.minutes ?? [])].slice(0, 7)).toEqual([
      60,
      Number.NaN,
      Number.NaN,
      Number.NaN,
      Number.NaN,
      60,
      Number.NaN,
    ]);
  });
});
