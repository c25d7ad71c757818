import { CloudWatchClient, type GetMetricDataInput } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import {
  type ReadStats,
  readSeriesGroups,
  type SeriesGroup,
} from '../../../../shared/adapters/cloudwatch/gpu-metric-batches';
import { callTimeoutMs } from '../../../../shared/adapters/cloudwatch/read-timeout';
import { readDeadline } from '../../../../shared/pass/time-budget';
import { delayPerQuery, FaultInjector, type FaultRule, inputMentions } from '../../../helpers/faults';

const source = { namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' };
const start = new Date('2030-01-01T11:00:00Z');
const end = new Date('2030-01-01T12:00:00Z');
const ids = (count: number) => Array.from({ length: count }, (_, n) => `i-${String(n).padStart(4, '0')}`);
const group = (instanceId: string): SeriesGroup => ({
  instanceId,
  series: [{ source, dimensions: [{ Name: 'InstanceId', Value: instanceId }] }],
  start,
});

/**
 * A CloudWatch client whose service is a stand-in inside the SDK's own stack (retry, the read's timer and the fault
 * injector all run as they do against AWS): every query answers one datapoint of 3.
 */
function slowCloudWatch(rules: readonly FaultRule[], maxAttempts = 3) {
  const client = new CloudWatchClient({
    region: 'us-east-1',
    maxAttempts,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const service = () => async (args: { input: GetMetricDataInput }) => ({
    output: {
      MetricDataResults: (args.input.MetricDataQueries ?? []).map((query) => ({
        Id: query.Id,
        StatusCode: 'Complete',
        Timestamps: [start],
        Values: [3],
      })),
      $metadata: {},
    },
    response: {},
  });
  client.middlewareStack.addRelativeTo(service as never, {
    relation: 'before',
    toMiddleware: 'deserializerMiddleware',
    name: 'standInCloudWatch',
  });
  const faults = new FaultInjector(rules);
  faults.attach(client);
  return { client, faults };
}

const queriesOf = (input: Record<string, unknown>) => (input.MetricDataQueries as unknown[] | undefined)?.length ?? 0;
const window = (stats: ReadStats, extra: object = {}) => ({
  end,
  periodSeconds: 60,
  stats,
  timeoutMs: () => 100,
  ...extra,
});

describe('a GetMetricData call that times out', () => {
  it('is split at once and both halves are read, without the SDK retrying it whole', async () => {
    // 4 queries wait 4 × 60 ms > the call's 100 ms; 2 wait nothing.
    const { client, faults } = slowCloudWatch([
      { operation: 'GetMetricData', fault: 'slow', delayMs: delayPerQuery(60, 2) },
    ]);
    const stats: ReadStats = { calls: 0, splits: 0 };
    const results = await readSeriesGroups(client, 'us-east-1', ids(4).map(group), window(stats));
    expect([...results.values()].map((result) => [result.error, result.perSeries[0]?.length])).toEqual(
      Array(4).fill([undefined, 1]),
    );
    expect(stats).toMatchObject({ calls: 2, splits: 1 });
    // The slow call, then its two halves: three attempts in all (maxAttempts 3 would have been 3 of the slow one).
    expect(faults.injected).toHaveLength(3);
  });

  it('judges only the instance whose own single-instance call times out unreadable; its neighbours are read', async () => {
    const { client } = slowCloudWatch([
      { operation: 'GetMetricData', fault: 'slow', delayMs: () => 1_000, when: inputMentions('i-0003') },
    ]);
    const stats: ReadStats = { calls: 0, splits: 0 };
    const results = await readSeriesGroups(client, 'us-east-1', ids(8).map(group), window(stats));
    expect(ids(8).filter((id) => results.get(id)?.error)).toEqual(['i-0003']);
    expect(results.get('i-0003')?.error).toMatch(/GetMetricData of 1 query got no answer within 0\.1 s/);
    expect(results.get('i-0003')?.samples).toEqual([]);
    expect(ids(8).filter((id) => results.get(id)?.perSeries[0]?.length === 1)).toHaveLength(7);
  });

  it('splits a later chunk as large as one that timed out before sending it', async () => {
    // Two chunks of 500: any call above 250 queries is slow.
    const { client, faults } = slowCloudWatch([
      { operation: 'GetMetricData', fault: 'slow', delayMs: () => 1_000, when: (input) => queriesOf(input) > 250 },
    ]);
    const stats: ReadStats = { calls: 0, splits: 0 };
    const results = await readSeriesGroups(client, 'us-east-1', ids(1_000).map(group), window(stats));
    expect([...results.values()].filter((result) => result.error)).toEqual([]);
    expect(faults.injected).toHaveLength(1);
    expect(stats).toMatchObject({ calls: 4, splits: 2 });
  });

  it('still has throttling retried by the SDK with back-off, not split', async () => {
    const { client, faults } = slowCloudWatch([{ operation: 'GetMetricData', fault: 'throttle', times: 1 }]);
    const stats: ReadStats = { calls: 0, splits: 0 };
    const results = await readSeriesGroups(client, 'us-east-1', ids(4).map(group), {
      ...window(stats),
      timeoutMs: () => 5_000,
    });
    expect([...results.values()].filter((result) => result.error)).toEqual([]);
    expect(faults.injected.map((fault) => fault.fault)).toEqual(['throttle']);
    expect(stats).toMatchObject({ calls: 1, splits: 0 });
  });

  it('stops splitting at the deadline and leaves the rest error with the reason, never idle', async () => {
    const { client } = slowCloudWatch([
      { operation: 'GetMetricData', fault: 'slow', delayMs: delayPerQuery(1_000, 1) },
    ]);
    const stats: ReadStats = { calls: 0, splits: 0 };
    // The 8-query call times out at 100 ms (split), its first half at 200 ms: past the deadline, no more splits.
    const results = await readSeriesGroups(
      client,
      'us-east-1',
      ids(8).map(group),
      window(stats, { splitUntil: Date.now() + 150 }),
    );
    const errors = ids(8).map((id) => results.get(id)?.error ?? '');
    expect(errors.every((error) => /time to split calls that timed out ran out .*time budget/.test(error))).toBe(true);
    expect(errors.slice(0, 4).every((error) => /4 queries got no answer.*not split further/.test(error))).toBe(true);
    expect(errors.slice(4).every((error) => /^GetMetricData: not read: /.test(error))).toBe(true);
    expect([...results.values()].every((result) => result.samples.length === 0)).toBe(true);
    expect(stats.splits).toBe(1);
  });
});

describe('the time a read gets', () => {
  it('gives a call 10 s plus 200 ms a query, at most 90 s', () => {
    expect([1, 100, 500].map(callTimeoutMs)).toEqual([10_200, 30_000, 90_000]);
  });

  it('lets a pass split for half its spare time beyond the reserve, at most 4 minutes; 4 minutes without a budget', () => {
    expect(readDeadline(undefined, 0)).toBe(240_000);
    expect(readDeadline({ remainingMs: () => 300_000, reserveMs: 30_000 }, 0)).toBe(135_000);
    expect(readDeadline({ remainingMs: () => 900_000 }, 0)).toBe(240_000);
    expect(readDeadline({ remainingMs: () => 10_000 }, 0)).toBe(0);
  });
});
