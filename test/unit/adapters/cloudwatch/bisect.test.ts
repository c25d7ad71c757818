import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataInput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type ReadStats,
  readSeriesGroups,
  type SeriesGroup,
} from '../../../../shared/adapters/cloudwatch/gpu-metric-batches';

const cloudwatch = new CloudWatchClient({ region: 'us-east-1' });
const cwMock = mockClient(cloudwatch);
const source = { namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' };
const start = new Date('2030-01-01T11:00:00Z');
const end = new Date('2030-01-01T12:00:00Z');

const group = (instanceId: string, series = 1): SeriesGroup => ({
  instanceId,
  series: Array.from({ length: series }, (_, gpu) => ({
    source,
    dimensions: [
      { Name: 'InstanceId', Value: instanceId },
      { Name: 'index', Value: String(gpu) },
    ],
  })),
  start,
});

const timeout = () => Object.assign(new Error('socket hang up: request timed out'), { name: 'TimeoutError' });
const throttled = () =>
  new CloudWatchServiceException({ name: 'Throttling', message: 'Rate exceeded', $fault: 'client', $metadata: {} });

/** Answers a call of at most `limit` queries; a bigger one fails as `fail` does. */
function answerUpTo(limit: number, fail: () => Error, poisoned = 'none') {
  return (input: GetMetricDataInput) => {
    const queries = input.MetricDataQueries ?? [];
    const ids = queries.map((q) => q.MetricStat?.Metric?.Dimensions?.[0]?.Value);
    if (queries.length > limit || ids.includes(poisoned)) throw fail();
    return {
      MetricDataResults: queries.map((q) => ({
        Id: q.Id,
        StatusCode: 'Complete' as const,
        Timestamps: [new Date('2030-01-01T11:00:00Z')],
        Values: [3],
      })),
    };
  };
}

beforeEach(() => cwMock.reset());

describe('a slow read never blinds a whole batch', () => {
  it('splits a call that timed out in halves until the halves go through, and counts the splits', async () => {
    cwMock.on(GetMetricDataCommand).callsFake(answerUpTo(2, timeout));
    const stats: ReadStats = { calls: 0, splits: 0 };
    const ids = Array.from({ length: 8 }, (_, n) => `i-${n}`);
    const results = await readSeriesGroups(
      cloudwatch,
      'us-east-1',
      ids.map((id) => group(id)),
      {
        end,
        periodSeconds: 60,
        stats,
      },
    );
    expect([...results.values()].map((r) => r.error)).toEqual(Array(8).fill(undefined));
    expect([...results.values()].map((r) => r.perSeries[0]?.length)).toEqual(Array(8).fill(1));
    expect(stats.splits).toBe(3);
  });

  it('splits the series of one instance too, keeping each series in its place', async () => {
    cwMock.on(GetMetricDataCommand).callsFake(answerUpTo(1, throttled));
    const results = await readSeriesGroups(cloudwatch, 'us-east-1', [group('i-big', 4)], { end, periodSeconds: 60 });
    expect(results.get('i-big')?.error).toBeUndefined();
    expect(results.get('i-big')?.perSeries.map((series) => series.length)).toEqual([1, 1, 1, 1]);
  });

  it('judges only the instance whose own query keeps failing unreadable', async () => {
    cwMock.on(GetMetricDataCommand).callsFake(answerUpTo(500, timeout, 'i-3'));
    const ids = Array.from({ length: 8 }, (_, n) => `i-${n}`);
    const results = await readSeriesGroups(
      cloudwatch,
      'us-east-1',
      ids.map((id) => group(id)),
      {
        end,
        periodSeconds: 60,
      },
    );
    expect(ids.filter((id) => results.get(id)?.error)).toEqual(['i-3']);
    expect(results.get('i-3')?.error).toMatch(/unreachable|timed out/i);
  });

  it('stops splitting when the time budget is spent: the instances say error, never idle', async () => {
    cwMock.on(GetMetricDataCommand).callsFake(answerUpTo(1, timeout));
    const results = await readSeriesGroups(cloudwatch, 'us-east-1', [group('i-a'), group('i-b')], {
      end,
      periodSeconds: 60,
      splitUntil: 0,
    });
    expect([...results.values()].every((r) => r.error !== undefined && r.samples.length === 0)).toBe(true);
  });

  it('never splits what a smaller call cannot mend (refused credentials)', async () => {
    cwMock
      .on(GetMetricDataCommand)
      .rejects(
        new CloudWatchServiceException({ name: 'AccessDenied', message: 'no', $fault: 'client', $metadata: {} }),
      );
    const stats: ReadStats = { calls: 0, splits: 0 };
    await readSeriesGroups(cloudwatch, 'us-east-1', [group('i-a'), group('i-b')], { end, periodSeconds: 60, stats });
    expect(stats.splits).toBe(0);
    expect(cwMock.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });
});
