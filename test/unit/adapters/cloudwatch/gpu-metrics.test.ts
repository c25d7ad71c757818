/**
 * The CloudWatch adapter's commands: the series listing (cached), the GetMetricData window, period, statistic
 * and ids, ≤ 500 queries a call with an instance's series kept together, NextToken, and failures that mark only
 * the instances they touch, never as idle.
 */
import {
  CloudWatchClient,
  CloudWatchServiceException,
  type Dimension,
  GetMetricDataCommand,
  type GetMetricDataInput,
  type GetMetricDataOutput,
  ListMetricsCommand,
  type Metric,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { packGroups } from '../../../../shared/adapters/cloudwatch/gpu-metric-batches';
import { GpuMetrics } from '../../../../shared/adapters/cloudwatch/gpu-metrics';
import { mergeMinutes } from '../../../../shared/adapters/cloudwatch/gpu-minutes';
import { SeriesListing } from '../../../../shared/adapters/cloudwatch/gpu-series-index';

const cloudwatch = new CloudWatchClient({ region: 'us-east-1' });
const cwMock = mockClient(cloudwatch);
const metric = { namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' };
const now = new Date('2030-01-01T12:00:42Z');
const HOUR = 3_600_000;
// At the window's start: no since-launch read, and every answered minute is this launch's.
const inWindow = new Date('2030-01-01T11:00:00Z');

const rollup = (id: string): Metric => ({ ...listed, Dimensions: [{ Name: 'InstanceId', Value: id }] });
const gpu = (id: string, index: number): Metric => ({
  ...listed,
  Dimensions: [
    { Name: 'InstanceId', Value: id },
    { Name: 'index', Value: String(index) },
    { Name: 'name', Value: 'NVIDIA H100' },
  ],
});
const listed = { Namespace: metric.namespace, MetricName: metric.metric };

const idOf = (dimensions: readonly Dimension[] | undefined) => dimensions?.find((d) => d.Name === 'InstanceId')?.Value;
const indexOf = (dimensions: readonly Dimension[] | undefined) => dimensions?.find((d) => d.Name === 'index')?.Value;

/** Answers every query with `value(instanceId, gpuIndex)` at 11:00 and 11:01 (or hourly at 09:00 for Period 3600). */
function answer(value: (instanceId: string, gpuIndex: string | undefined) => number) {
  return (input: GetMetricDataInput): GetMetricDataOutput => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((query) => {
      const dims = query.MetricStat?.Metric?.Dimensions;
      const hourly = query.MetricStat?.Period === 3600;
      const v = value(idOf(dims)!, indexOf(dims));
      return {
        Id: query.Id,
        StatusCode: 'Complete',
        Timestamps: hourly
          ? [new Date('2030-01-01T09:00:00Z')]
          : [new Date('2030-01-01T11:00:00Z'), new Date('2030-01-01T11:01:00Z')],
        Values: hourly ? [v + 0.5] : [v, v],
      };
    }),
  });
}

beforeEach(() => cwMock.reset());

describe('GpuMetrics.read', () => {
  it('queries the rollup when listed, else every per-GPU series, with Maximum per minute over the floored window', async () => {
    cwMock
      .on(ListMetricsCommand)
      .resolves({ Metrics: [rollup('i-r'), gpu('i-r', 0), gpu('i-g', 0), gpu('i-g', 1), gpu('i-g', 0)] });
    cwMock.on(GetMetricDataCommand).callsFake(answer((id, index) => (id === 'i-g' && index === '1' ? 88 : 3)));

    const telemetry = await new GpuMetrics(cloudwatch, 'us-east-1', metric).read(
      [
        { instanceId: 'i-r', launchTime: inWindow },
        { instanceId: 'i-g', launchTime: inWindow },
        { instanceId: 'i-none', launchTime: inWindow },
      ],
      // 3% is not quiet against a 3% threshold: the rollup needs no per-GPU proof here.
      { now, lookbackMs: HOUR, quietBelow: 3 },
    );

    expect(cwMock.commandCalls(ListMetricsCommand)[0]?.args[0].input).toEqual({
      Namespace: 'CWAgent',
      MetricName: 'nvidia_smi_utilization_gpu',
    });
    const calls = cwMock.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input).toMatchObject({
      StartTime: new Date('2030-01-01T11:00:00Z'),
      EndTime: new Date('2030-01-01T12:00:00Z'),
      ScanBy: 'TimestampAscending',
    });
    expect(
      input.MetricDataQueries?.map((q) => [
        q.Id,
        q.MetricStat?.Period,
        q.MetricStat?.Stat,
        q.MetricStat?.Metric?.Dimensions?.length,
      ]),
    ).toEqual([
      ['q0', 60, 'Maximum', 1],
      ['q1', 60, 'Maximum', 3],
      ['q2', 60, 'Maximum', 3],
    ]);
    expect(telemetry.get('i-r')).toMatchObject({
      status: 'ok',
      source: 'instance-rollup',
      points: [{ max: 3 }, { max: 3 }],
    });
    expect(telemetry.get('i-g')).toMatchObject({
      status: 'ok',
      source: 'per-gpu',
      gpuSeries: 2,
      points: [{ max: 88 }, { max: 88 }],
    });
    expect(telemetry.get('i-none')).toMatchObject({ status: 'missing', source: 'none', points: [] });
  });

  it('sends at most 500 queries a call and never splits an instance across calls', async () => {
    const ids = Array.from({ length: 130 }, (_, n) => `i-${n}`);
    cwMock.on(ListMetricsCommand).resolves({ Metrics: ids.flatMap((id) => [0, 1, 2, 3, 4].map((n) => gpu(id, n))) });
    cwMock.on(GetMetricDataCommand).callsFake(answer(() => 50));

    const telemetry = await new GpuMetrics(cloudwatch, 'us-east-1', metric).read(
      ids.map((instanceId) => ({ instanceId, launchTime: inWindow })),
      { now, lookbackMs: HOUR },
    );

    const sizes = cwMock.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input.MetricDataQueries?.length);
    expect(sizes).toEqual([500, 150]);
    const owners = cwMock
      .commandCalls(GetMetricDataCommand)
      .map((call) => new Set(call.args[0].input.MetricDataQueries?.map((q) => idOf(q.MetricStat?.Metric?.Dimensions))));
    expect([...owners[0]!].filter((id) => owners[1]!.has(id))).toEqual([]);
    expect([...telemetry.values()].every((entry) => entry.status === 'ok')).toBe(true);
  });

  it('follows NextToken through partial data', async () => {
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-1')] });
    cwMock
      .on(GetMetricDataCommand)
      .resolvesOnce({
        NextToken: 'more',
        MetricDataResults: [
          { Id: 'q0', StatusCode: 'PartialData', Timestamps: [new Date('2030-01-01T11:00:00Z')], Values: [1] },
        ],
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'q0', StatusCode: 'Complete', Timestamps: [new Date('2030-01-01T11:01:00Z')], Values: [2] },
        ],
      });

    const telemetry = await new GpuMetrics(cloudwatch, 'us-east-1', metric).read(
      [{ instanceId: 'i-1', launchTime: inWindow }],
      { now, lookbackMs: HOUR },
    );

    expect(cwMock.commandCalls(GetMetricDataCommand)[1]?.args[0].input.NextToken).toBe('more');
    expect(telemetry.get('i-1')).toMatchObject({ status: 'ok', points: [{ max: 1 }, { max: 2 }] });
  });

  it('marks only the instances of a failed chunk as error', async () => {
    const ids = Array.from({ length: 101 }, (_, n) => `i-${n}`);
    cwMock.on(ListMetricsCommand).resolves({ Metrics: ids.flatMap((id) => [0, 1, 2, 3, 4].map((n) => gpu(id, n))) });
    cwMock
      .on(GetMetricDataCommand)
      .callsFakeOnce(answer(() => 0))
      .rejectsOnce(
        new CloudWatchServiceException({
          name: 'InternalServiceError',
          message: 'boom',
          $fault: 'server',
          $metadata: {},
        }),
      );

    const telemetry = await new GpuMetrics(cloudwatch, 'us-east-1', metric).read(
      ids.map((instanceId) => ({ instanceId, launchTime: inWindow })),
      { now, lookbackMs: HOUR },
    );

    expect(telemetry.get('i-0')).toMatchObject({ status: 'ok' });
    expect(telemetry.get('i-99')).toMatchObject({ status: 'ok' });
    expect(telemetry.get('i-100')).toMatchObject({ status: 'error', error: expect.stringContaining('GetMetricData') });
  });

  it.each([
    ['an InternalError status', { StatusCode: 'InternalError' as const }],
    ['a Forbidden status', { StatusCode: 'Forbidden' as const }],
    [
      'an error message',
      { StatusCode: 'Complete' as const, Messages: [{ Code: 'MaxQueryTimeRangeExceed', Value: 'too long' }] },
    ],
  ])('marks an instance error on %s in its result', async (_label, result) => {
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-bad'), rollup('i-good')] });
    cwMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'q0', Timestamps: [], Values: [], ...result },
        { Id: 'q1', StatusCode: 'Complete', Timestamps: [new Date('2030-01-01T11:00:00Z')], Values: [0] },
      ],
    });

    const telemetry = await new GpuMetrics(cloudwatch, 'us-east-1', metric).read(
      [
        { instanceId: 'i-bad', launchTime: inWindow },
        { instanceId: 'i-good', launchTime: inWindow },
      ],
      { now, lookbackMs: HOUR },
    );

    expect(telemetry.get('i-bad')?.status).toBe('error');
    expect(telemetry.get('i-good')?.status).toBe('ok');
  });

  it('marks an instance error when its query got no result at all', async () => {
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-1')] });
    cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const telemetry = await new GpuMetrics(cloudwatch, 'us-east-1', metric).read(
      [{ instanceId: 'i-1', launchTime: inWindow }],
      { now, lookbackMs: HOUR },
    );
    expect(telemetry.get('i-1')).toMatchObject({ status: 'error', error: 'GetMetricData: no result for the query' });
  });

  it('reads since launch per minute within a day of the launch (coverage too), hourly beyond', async () => {
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-old'), rollup('i-older'), rollup('i-new')] });
    cwMock.on(GetMetricDataCommand).callsFake(answer((id) => (id === 'i-new' ? 1 : 30)));

    const telemetry = await new GpuMetrics(cloudwatch, 'us-east-1', metric).read(
      [
        { instanceId: 'i-old', launchTime: new Date('2030-01-01T08:45:00Z') },
        { instanceId: 'i-older', launchTime: new Date('2029-12-30T06:10:00Z') },
        { instanceId: 'i-new', launchTime: inWindow },
      ],
      { now, lookbackMs: HOUR },
    );

    const inputs = cwMock.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);
    const coarse = inputs.find((input) => input.MetricDataQueries?.[0]?.MetricStat?.Period === 3600);
    expect(coarse).toMatchObject({
      StartTime: new Date('2029-12-30T06:00:00Z'),
      EndTime: new Date('2030-01-01T12:00:00Z'),
    });
    expect(coarse?.MetricDataQueries?.map((q) => idOf(q.MetricStat?.Metric?.Dimensions))).toEqual(['i-older']);
    const perMinute = inputs.find((input) => input.StartTime?.getTime() === Date.parse('2030-01-01T08:45:00Z'));
    expect(perMinute?.MetricDataQueries?.map((q) => idOf(q.MetricStat?.Metric?.Dimensions))).toEqual(['i-old']);
    expect(perMinute?.MetricDataQueries?.[0]?.MetricStat?.Period).toBe(60);
    expect(telemetry.get('i-old')?.sinceLaunchMax).toBe(30);
    // The answer's two minutes (11:00, 11:01) lie inside the window, after `from`: none before it.
    expect(telemetry.get('i-old')?.sinceLaunchCovered).toBe(0);
    expect(telemetry.get('i-older')).toMatchObject({ sinceLaunchMax: 30.5, sinceLaunchCovered: null });
    expect(telemetry.get('i-new')?.sinceLaunchMax).toBeNull();
  });

  it('reads the since-launch maximum only for instances whose window stays below sinceLaunchBelow', async () => {
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-quiet'), rollup('i-busy'), rollup('i-silent')] });
    cwMock.on(GetMetricDataCommand).callsFake((input: GetMetricDataInput) => {
      const out = answer((id) => (id === 'i-busy' ? 40 : 2))(input);
      // i-silent has a series but no datapoint in the window: never-used cannot hold, so no history is needed.
      return {
        MetricDataResults: out.MetricDataResults?.map((r, i) =>
          idOf(input.MetricDataQueries?.[i]?.MetricStat?.Metric?.Dimensions) === 'i-silent'
            ? { ...r, Timestamps: [], Values: [] }
            : r,
        ),
      };
    });
    const old = new Date('2029-12-30T06:10:00Z');
    const requests = ['i-quiet', 'i-busy', 'i-silent'].map((instanceId) => ({ instanceId, launchTime: old }));
    const metrics = new GpuMetrics(cloudwatch, 'us-east-1', metric);

    const telemetry = await metrics.read(requests, { now, lookbackMs: HOUR, sinceLaunchBelow: 5 });
    const hourlyIds = () =>
      cwMock
        .commandCalls(GetMetricDataCommand)
        .flatMap((call) => call.args[0].input.MetricDataQueries ?? [])
        .filter((q) => q.MetricStat?.Period === 3600)
        .map((q) => idOf(q.MetricStat?.Metric?.Dimensions));
    expect(hourlyIds()).toEqual(['i-quiet']);
    expect(telemetry.get('i-quiet')?.sinceLaunchMax).toBe(2.5);
    expect(telemetry.get('i-busy')?.sinceLaunchMax).toBeNull();

    cwMock.resetHistory();
    await metrics.read(requests, { now, lookbackMs: HOUR, sinceLaunchBelow: null });
    expect(hourlyIds()).toEqual([]);
  });

  it('reuses the listing within its time to live, and lists again after', async () => {
    let wall = 0;
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-1')] });
    cwMock.on(GetMetricDataCommand).callsFake(answer(() => 1));
    const metrics = new GpuMetrics(cloudwatch, 'us-east-1', metric, { ttlMs: 60_000, clock: () => wall });
    const read = () => metrics.read([{ instanceId: 'i-1', launchTime: inWindow }], { now, lookbackMs: HOUR });

    await read();
    wall = 59_999;
    await read();
    expect(cwMock.commandCalls(ListMetricsCommand)).toHaveLength(1);
    wall = 60_000;
    await read();
    expect(cwMock.commandCalls(ListMetricsCommand)).toHaveLength(2);
  });

  it('says error for every instance when the listing fails, and lists again next time', async () => {
    cwMock
      .on(ListMetricsCommand)
      .rejectsOnce(
        new CloudWatchServiceException({ name: 'AccessDenied', message: 'no', $fault: 'client', $metadata: {} }),
      )
      .resolves({ Metrics: [] });
    const metrics = new GpuMetrics(cloudwatch, 'us-east-1', metric);
    const request = [{ instanceId: 'i-1', launchTime: inWindow }];

    const failed = await metrics.read(request, { now, lookbackMs: HOUR });
    expect(failed.get('i-1')).toMatchObject({
      status: 'error',
      source: 'none',
      error: expect.stringContaining('ListMetrics'),
    });

    const next = await metrics.read(request, { now, lookbackMs: HOUR });
    expect(next.get('i-1')?.status).toBe('missing');
  });
});

/** One trusted series merged alone: the per-minute maximum, as a rollup's. */
const mergeByMinute = (samples: readonly { at: number; value: number }[], from: number, to: number) =>
  mergeMinutes([{ source: 's', gpu: null, stat: 'Maximum', trusted: true, samples }], 1, from, to);

describe('helpers', () => {
  it('groups a listing by instance id, else by host, dropping duplicates', () => {
    const source = metric;
    const index = new SeriesListing(
      [
        rollup('i-1'),
        gpu('i-1', 0),
        {
          Dimensions: [
            { Name: 'name', Value: 'NVIDIA H100' },
            { Name: 'index', Value: '0' },
            { Name: 'InstanceId', Value: 'i-1' },
          ],
        },
        {
          Dimensions: [
            { Name: 'host', Value: 'ip-10-0-0-1' },
            { Name: 'index', Value: '0' },
          ],
        },
        {
          Dimensions: [
            { Name: 'host', Value: 'ip-10-9-9-9' },
            { Name: 'index', Value: '0' },
          ],
        },
      ].map((m) => ({ source, dimensions: m.Dimensions ?? [] })),
    );
    const own = index.seriesOf({ instanceId: 'i-1' })?.bySource.get(`${metric.namespace}/${metric.metric}`);
    expect(own?.rollup?.dimensions).toEqual([{ Name: 'InstanceId', Value: 'i-1' }]);
    expect(own?.perGpu).toHaveLength(1);
    const byHost = index.seriesOf({ instanceId: 'i-2', privateDnsName: 'ip-10-0-0-1.ec2.internal' });
    expect([...(byHost?.bySource.values() ?? [])][0]?.perGpu).toHaveLength(1);
    expect(index.unmatched([{ instanceId: 'i-2', privateDnsName: 'ip-10-0-0-1.ec2.internal' }])).toBe(1);
  });

  it('packs whole groups, splitting only a group larger than a call', () => {
    const group = (instanceId: string, size: number) => ({
      instanceId,
      series: Array.from({ length: size }, () => ({ source: metric, dimensions: [] })),
      start: now,
    });
    const sizes = (chunks: ReturnType<typeof packGroups>) =>
      chunks.map((chunk) => chunk.map((g) => `${g.instanceId}:${g.series.length}`));
    expect(sizes(packGroups([group('a', 3), group('b', 3), group('c', 3)], 5))).toEqual([['a:3'], ['b:3'], ['c:3']]);
    expect(sizes(packGroups([group('a', 2), group('b', 3), group('c', 7)], 5))).toEqual([
      ['a:2', 'b:3'],
      ['c:5'],
      ['c:2'],
    ]);
  });

  it('merges per minute by maximum, inside [from, to)', () => {
    const from = Date.parse('2030-01-01T11:00:00Z');
    expect(
      mergeByMinute(
        [
          { at: from + 60_000, value: 5 },
          { at: from + 61_000, value: 9 },
          { at: from, value: 2 },
          { at: from - 1, value: 100 },
          { at: from + 120_000, value: 100 },
        ],
        from,
        from + 120_000,
      ),
    ).toEqual([
      { at: from, max: 2 },
      { at: from + 60_000, max: 9 },
    ]);
  });
});
