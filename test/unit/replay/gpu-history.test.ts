/**
 * The history adapter's calls, against mocked SDK clients: GetMetricData batching (≤ 500 queries, ≤ the datapoint
 * budget, NextToken followed), coarse periods spread over their minutes, the maximum across per-GPU series, and
 * DescribeInstances split around ids EC2 no longer knows.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeKnownInstances, readInstanceHistories } from '../../../shared/adapters/cloudwatch/gpu-history';
import { GpuHistory } from '../../../shared/adapters/cloudwatch/gpu-history-metrics';
import { callWindows, resolutionSegments } from '../../../shared/adapters/cloudwatch/gpu-history-plan';
import { parseConfig } from '../../../shared/config/schema';

const cloudwatch = mockClient(CloudWatchClient);
const ec2 = mockClient(EC2Client);
const MINUTE = 60_000;
const DAY = 86_400_000;
const NOW = Date.parse('2026-11-21T12:00:00Z');
const METRIC = { namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' };
const rollup = (id: string) => ({ Dimensions: [{ Name: 'InstanceId', Value: id }] });
const gpu = (id: string, index: number) => ({
  Dimensions: [
    { Name: 'InstanceId', Value: id },
    { Name: 'InstanceType', Value: 'p4d.24xlarge' },
    { Name: 'index', Value: String(index) },
  ],
});

function inputs(): GetMetricDataCommandInput[] {
  return cloudwatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);
}

beforeEach(() => {
  cloudwatch.reset();
  ec2.reset();
});

describe('resolutionSegments and callWindows', () => {
  it('reads the last 15 days at 1 minute, older days at 5 minutes, with edges on 5-minute boundaries', () => {
    const segments = resolutionSegments(NOW - 20 * DAY, NOW, NOW);
    expect(segments.map((segment) => segment.periodSeconds)).toEqual([300, 60]);
    expect(segments[0]?.endMs).toBe(segments[1]?.startMs);
    expect((segments[1]!.startMs - (NOW - 15 * DAY)) / MINUTE).toBe(10);
    expect(resolutionSegments(NOW - 70 * DAY, NOW - 65 * DAY, NOW).map((s) => s.periodSeconds)).toEqual([3600]);
  });

  it('cuts a segment so that queries × periods stay within the budget', () => {
    const windows = callWindows({ startMs: 0, endMs: DAY, periodSeconds: 60 }, 500, 100_800);
    expect(windows).toHaveLength(8);
    expect(windows[0]).toEqual([0, 201 * MINUTE]);
  });
});

describe('GpuHistory.read', () => {
  it('sends at most 500 queries a call, follows NextToken, and keeps instances without data out', async () => {
    const ids = Array.from({ length: 600 }, (_, n) => `i-${String(n).padStart(17, '0')}`);
    cloudwatch.on(ListMetricsCommand).resolves({ Metrics: ids.map(rollup) });
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      const start = input.StartTime as Date;
      if (!input.NextToken) return { NextToken: 'page-2', MetricDataResults: [] };
      return {
        MetricDataResults: (input.MetricDataQueries ?? [])
          .filter((query) => query.MetricStat?.Metric?.Dimensions?.[0]?.Value === ids[1])
          .map((query) => ({ Id: query.Id, Timestamps: [start], Values: [42] })),
      };
    });
    const history = new GpuHistory(new CloudWatchClient({ region: 'us-east-1' }), 'us-east-1', METRIC, {
      clock: () => NOW,
    });
    const read = await history.read({ from: new Date(NOW - 60 * MINUTE), to: new Date(NOW) });
    const sizes = inputs().map((input) => input.MetricDataQueries?.length ?? 0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    expect(sizes.filter((size) => size > 0).reduce((a, b) => a + b, 0)).toBe(2 * 600);
    expect(inputs().some((input) => input.NextToken === 'page-2')).toBe(true);
    expect(read.map((entry) => entry.instanceId)).toEqual([ids[1]]);
    expect(read[0]?.minutes[0]).toBe(42);
  });

  it('spreads a 5-minute maximum over its minutes, and takes the busiest GPU of per-GPU series', async () => {
    cloudwatch.on(ListMetricsCommand).resolves({ Metrics: [gpu('i-gone', 0), gpu('i-gone', 1)] });
    const from = NOW - 20 * DAY;
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map((query) => {
        const coarse = query.MetricStat?.Period === 300;
        const index = query.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'index')?.Value;
        const at = coarse ? from + 10 * MINUTE : NOW - 10 * MINUTE;
        const inside = at >= (input.StartTime as Date).getTime() && at < (input.EndTime as Date).getTime();
        return {
          Id: query.Id,
          Timestamps: inside ? [new Date(at)] : [],
          Values: inside ? [index === '0' ? 3 : 20] : [],
        };
      }),
    }));
    const history = new GpuHistory(new CloudWatchClient({ region: 'us-east-1' }), 'us-east-1', METRIC, {
      clock: () => NOW,
    });
    const [gone] = await history.read({ from: new Date(from), to: new Date(NOW) });
    const minutes = [...(gone?.minutes ?? [])];
    expect(minutes.slice(9, 16)).toEqual([Number.NaN, 20, 20, 20, 20, 20, Number.NaN]);
    expect(minutes.filter((value) => value >= 0)).toHaveLength(6);
    expect(gone).toMatchObject({ source: 'per-gpu', series: 2, instanceType: 'p4d.24xlarge' });
  });
});

describe('describeKnownInstances and readInstanceHistories', () => {
  const known = (id: string) => ({
    InstanceId: id,
    InstanceType: 'g5.xlarge' as const,
    State: { Name: 'running' as const },
    Tags: [{ Key: 'Owner', Value: `${id}@example.com` }],
  });

  it('splits a batch around ids EC2 no longer knows, and keeps the others', async () => {
    ec2.on(DescribeInstancesCommand).callsFake(({ InstanceIds = [] }: { InstanceIds?: string[] }) => {
      if (InstanceIds.includes('i-gone')) {
        throw Object.assign(new Error("The instance ID 'i-gone' does not exist"), {
          name: 'InvalidInstanceID.NotFound',
        });
      }
      return { Reservations: [{ Instances: InstanceIds.map(known) }] };
    });
    const found = await describeKnownInstances(
      new EC2Client({ region: 'us-east-1' }),
      ['i-a', 'i-gone', 'i-b', 'i-c'],
      'us-east-1',
    );
    expect([...found.keys()].sort()).toEqual(['i-a', 'i-b', 'i-c']);
  });

  it('joins history with EC2 facts and prices; a gone instance keeps its metric dimensions', async () => {
    cloudwatch.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-a'), gpu('i-gone', 0)] });
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map((query) => ({
        Id: query.Id,
        Timestamps: [input.StartTime as Date],
        Values: [50],
      })),
    }));
    ec2.on(DescribeInstancesCommand).callsFake(({ InstanceIds = [] }: { InstanceIds?: string[] }) => {
      if (InstanceIds.includes('i-gone'))
        throw Object.assign(new Error('gone'), { name: 'InvalidInstanceID.NotFound' });
      return { Reservations: [{ Instances: InstanceIds.map(known) }] };
    });
    const clients = {
      cloudwatch: new CloudWatchClient({ region: 'us-east-1' }),
      ec2: new EC2Client({ region: 'us-east-1' }),
    };
    const histories = await readInstanceHistories(
      clients,
      'us-east-1',
      parseConfig({}),
      { from: new Date(NOW - 60 * MINUTE), to: new Date(NOW) },
      { clock: () => NOW },
    );
    const byId = Object.fromEntries(histories.map((entry) => [entry.instanceId, entry]));
    expect(byId['i-a']).toMatchObject({ instanceType: 'g5.xlarge', owner: 'i-a@example.com', hourlyUsd: 1.006 });
    expect(byId['i-gone']).toMatchObject({ instanceType: 'p4d.24xlarge', owner: null, tags: {}, hourlyUsd: 21.9576 });
  });
});
