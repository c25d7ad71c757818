/**
 * The CloudWatch adapter with the real SDK against moto: series discovery (rollup preferred, per-GPU otherwise),
 * the maximum across GPUs, the since-launch read, missing series, and batching at ≤ 500 queries a call.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { beforeEach, describe, expect, it } from 'vitest';
import { CallCounter, createRegionClients } from '../../../shared/adapters/aws/clients';
import { GpuMetrics } from '../../../shared/adapters/cloudwatch/gpu-metrics';
import { gpuSeriesData, minutes, putGpuSeries, putMetricData } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';

const moto = useMoto();

const now = new Date('2030-01-01T12:00:30Z');
const HOUR = 3_600_000;
const windowStart = new Date('2030-01-01T11:00:00Z');
const metric = { namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' };
// Inside the window: no since-launch read.
const recentLaunch = new Date('2030-01-01T11:00:00Z');

describe('GpuMetrics against moto', () => {
  let cloudwatch: CloudWatchClient;
  let counter: CallCounter;
  let metrics: GpuMetrics;

  beforeEach(async () => {
    await moto.reset();
    counter = new CallCounter();
    ({ cloudwatch } = createRegionClients(moto.region, { counter }));
    metrics = new GpuMetrics(cloudwatch, moto.region, metric);
  });

  it('reads per-GPU series alone and takes the busiest GPU per minute: one busy GPU of eight is busy', async () => {
    const oneBusy = [0, 0, 0, 0, 0, 93, 0, 0];
    await putGpuSeries(cloudwatch, 'i-per-gpu', minutes(windowStart, 60, oneBusy));

    const telemetry = (
      await metrics.read([{ instanceId: 'i-per-gpu', launchTime: recentLaunch }], { now, lookbackMs: HOUR })
    ).get('i-per-gpu');

    expect(telemetry).toMatchObject({ status: 'ok', source: 'per-gpu', gpuSeries: 8, sinceLaunchMax: null });
    expect(telemetry?.points).toHaveLength(60);
    expect(new Set(telemetry?.points.map((point) => point.max))).toEqual(new Set([93]));
    expect(telemetry?.from).toEqual(windowStart);
    expect(telemetry?.to).toEqual(new Date('2030-01-01T12:00:00Z'));
  });

  it('prefers the instance rollup series when the agent publishes one', async () => {
    // Different numbers in the two shapes show which one was read.
    await putGpuSeries(cloudwatch, 'i-both', minutes(windowStart, 30, 12), { perGpu: 4, rollup: false });
    await putGpuSeries(cloudwatch, 'i-both', minutes(windowStart, 30, [70, 1, 2, 3]), { perGpu: 0, rollup: true });

    const telemetry = (
      await metrics.read([{ instanceId: 'i-both', launchTime: recentLaunch }], { now, lookbackMs: HOUR, quietBelow: 5 })
    ).get('i-both');

    expect(telemetry).toMatchObject({ status: 'ok', source: 'instance-rollup' });
    expect(telemetry?.gpuSeries).toBeUndefined();
    // The rollup's Maximum (the busiest GPU), never its Average (19).
    expect(telemetry?.points.map((point) => point.max)).toEqual(Array(30).fill(70));
  });

  it('says missing, not idle, when an instance has no series at all', async () => {
    await putGpuSeries(cloudwatch, 'i-other', minutes(windowStart, 5, 50));

    const telemetry = (
      await metrics.read([{ instanceId: 'i-silent', launchTime: recentLaunch }], { now, lookbackMs: HOUR })
    ).get('i-silent');

    expect(telemetry).toMatchObject({ status: 'missing', source: 'none', points: [], sinceLaunchMax: null });
  });

  it('keeps only whole minutes of the window and leaves gaps as gaps', async () => {
    await putGpuSeries(cloudwatch, 'i-gappy', [
      { at: new Date('2030-01-01T10:59:30Z'), value: 99 },
      { at: new Date('2030-01-01T11:00:10Z'), value: 3 },
      { at: new Date('2030-01-01T11:30:40Z'), value: 4 },
      { at: new Date('2030-01-01T12:00:10Z'), value: 99 },
    ]);

    const telemetry = (
      await metrics.read([{ instanceId: 'i-gappy', launchTime: recentLaunch }], { now, lookbackMs: HOUR })
    ).get('i-gappy');

    expect(telemetry?.points).toEqual([
      { at: Date.parse('2030-01-01T11:00:00Z'), max: 3 },
      { at: Date.parse('2030-01-01T11:30:00Z'), max: 4 },
    ]);
  });

  it('reads the maximum since launch, hourly, when the launch is older than the window', async () => {
    const launchTime = new Date('2030-01-01T08:20:00Z');
    await putGpuSeries(cloudwatch, 'i-old', minutes('2030-01-01T09:10:00Z', 5, [0, 81]));
    await putGpuSeries(cloudwatch, 'i-old', minutes(windowStart, 60, [0, 1]));
    // Before this start (previous running stretch): not part of "since launch".
    await putGpuSeries(cloudwatch, 'i-old', minutes('2030-01-01T06:00:00Z', 5, [0, 100]));

    const telemetry = (await metrics.read([{ instanceId: 'i-old', launchTime }], { now, lookbackMs: HOUR })).get(
      'i-old',
    );

    expect(telemetry).toMatchObject({ status: 'ok', source: 'per-gpu', sinceLaunchMax: 81 });
    expect(Math.max(...(telemetry?.points.map((point) => point.max) ?? []))).toBe(1);
  });

  it('batches: 70 per-GPU-only instances of 8 GPUs are 560 queries in 2 GetMetricData calls', async () => {
    const ids = Array.from({ length: 70 }, (_, n) => `i-fleet${String(n).padStart(3, '0')}`);
    const busyOne = (n: number) => Array.from({ length: 8 }, (_, gpu) => (gpu === n % 8 ? 40 + (n % 50) : 0));
    await putMetricData(
      cloudwatch,
      ids.flatMap((id, n) => gpuSeriesData(id, minutes(windowStart, 3, busyOne(n)))),
    );

    const telemetry = await metrics.read(
      ids.map((instanceId) => ({ instanceId, launchTime: recentLaunch })),
      { now, lookbackMs: HOUR },
    );

    expect(counter.calls('CloudWatch:GetMetricData')).toBe(2);
    for (const [n, id] of ids.entries()) {
      expect(telemetry.get(id)).toMatchObject({ status: 'ok', source: 'per-gpu', gpuSeries: 8 });
      expect(telemetry.get(id)?.points.map((point) => point.max)).toEqual([
        40 + (n % 50),
        40 + (n % 50),
        40 + (n % 50),
      ]);
    }
  });

  it('lists the series once for consecutive reads (cached listing)', async () => {
    await putGpuSeries(cloudwatch, 'i-cached', minutes(windowStart, 2, 10));
    const request = [{ instanceId: 'i-cached', launchTime: recentLaunch }];

    await metrics.read(request, { now, lookbackMs: HOUR });
    await metrics.read(request, { now, lookbackMs: HOUR });

    expect(counter.calls('CloudWatch:ListMetrics')).toBe(1);
    expect(counter.calls('CloudWatch:GetMetricData')).toBe(2);
  });

  it('marks every instance error, never idle, when CloudWatch is unreachable', async () => {
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
    const clients = createRegionClients(moto.region, { maxAttempts: 1 });
    const telemetry = await new GpuMetrics(clients.cloudwatch, moto.region, metric)
      .read([{ instanceId: 'i-a', launchTime: recentLaunch }], { now, lookbackMs: HOUR })
      .finally(() => {
        process.env.AWS_ENDPOINT_URL = saved;
      });

    expect(telemetry.get('i-a')).toMatchObject({ status: 'error', points: [] });
    expect(telemetry.get('i-a')?.error).toMatch(/ListMetrics.*unreachable/);
  });
});
