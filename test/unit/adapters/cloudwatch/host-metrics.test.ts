/**
 * Host activity's cost and shape in the CloudWatch adapter: EC2's three host metrics are asked only for instances a
 * GPU rule could act on (quiet GPUs, a read start given), in the same GetMetricData calls as the GPU proofs, each
 * query with its own statistic; a failed host read marks the host unknown, never the GPU telemetry.
 */
import {
  CloudWatchClient,
  type Dimension,
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
const now = new Date('2030-01-01T12:00:42Z');
const MIN = 60_000;
const launchTime = new Date('2030-01-01T10:00:00Z');
const hostFrom = new Date('2030-01-01T10:10:00Z');

const rollup = (id: string): Metric => ({
  Namespace: source.namespace,
  MetricName: source.metric,
  Dimensions: [{ Name: 'InstanceId', Value: id }],
});
const idOf = (dimensions: readonly Dimension[] | undefined) => dimensions?.find((d) => d.Name === 'InstanceId')?.Value;

/** GPU at `gpu(id)` every minute of the last hour; EC2 every 5 minutes: CPU 70%, 100 MiB in, 50 MiB out. */
function answer(gpu: (id: string) => number, failHost = false) {
  return (input: GetMetricDataInput): GetMetricDataOutput => {
    if (failHost && input.MetricDataQueries?.some((q) => q.MetricStat?.Metric?.Namespace === 'AWS/EC2')) {
      throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} });
    }
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((query) => {
        const metric = query.MetricStat!.Metric!;
        const id = idOf(metric.Dimensions)!;
        if (metric.Namespace === 'AWS/EC2') {
          const stamps = Array.from(
            { length: 12 },
            (_, i) => new Date(Date.parse('2030-01-01T11:00:00Z') + i * 5 * MIN),
          );
          const value = metric.MetricName === 'CPUUtilization' ? 70 : metric.MetricName === 'NetworkIn' ? 100 : 50;
          return {
            Id: query.Id,
            StatusCode: 'Complete',
            Timestamps: stamps,
            Values: stamps.map(() => value * (metric.MetricName === 'CPUUtilization' ? 1 : 1024 * 1024)),
          };
        }
        const stamps = Array.from({ length: 60 }, (_, i) => new Date(Date.parse('2030-01-01T11:00:00Z') + i * MIN));
        return { Id: query.Id, StatusCode: 'Complete', Timestamps: stamps, Values: stamps.map(() => gpu(id)) };
      }),
    };
  };
}

const hostQueries = () =>
  cwMock
    .commandCalls(GetMetricDataCommand)
    .flatMap((call) => call.args[0].input.MetricDataQueries ?? [])
    .filter((query) => query.MetricStat?.Metric?.Namespace === 'AWS/EC2');

beforeEach(() => cwMock.reset());

describe('host metrics in the telemetry read', () => {
  const window = { now, lookbackMs: 2 * 60 * MIN, quietSpanMs: 60 * MIN, quietBelow: 5 };

  it('asks the three EC2 metrics only for the quiet instance that has a read start', async () => {
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-quiet'), rollup('i-busy'), rollup('i-out')] });
    cwMock.on(GetMetricDataCommand).callsFake(answer((id) => (id === 'i-busy' ? 80 : 0)));
    const read = await new GpuMetrics(cloudwatch, 'us-east-1', [source]).read(
      [
        { instanceId: 'i-quiet', launchTime, gpuCount: 1, hostFrom },
        { instanceId: 'i-busy', launchTime, gpuCount: 1, hostFrom },
        // Opted out (or too young): the pass gives no read start.
        { instanceId: 'i-out', launchTime, gpuCount: 1, hostFrom: null },
      ],
      window,
    );
    const queries = hostQueries();
    expect(
      queries.map((q) => [
        idOf(q.MetricStat?.Metric?.Dimensions),
        q.MetricStat?.Metric?.MetricName,
        q.MetricStat?.Stat,
        q.MetricStat?.Period,
      ]),
    ).toEqual([
      ['i-quiet', 'CPUUtilization', 'Maximum', 60],
      ['i-quiet', 'NetworkIn', 'Sum', 60],
      ['i-quiet', 'NetworkOut', 'Sum', 60],
    ]);
    const host = read.get('i-quiet')!.host!;
    expect(host.status).toBe('ok');
    expect(host.points).toHaveLength(12);
    expect(host.points[0]).toEqual({
      at: Date.parse('2030-01-01T11:00:00Z'),
      cpuMax: 70,
      networkBytes: 150 * 1024 * 1024,
    });
    expect(read.get('i-busy')!.host).toBeUndefined();
    expect(read.get('i-out')!.host).toBeUndefined();
  });

  it('judges quiet over the GPU rules own span: a busy minute before it still reads the host', async () => {
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-a')] });
    cwMock.on(GetMetricDataCommand).callsFake((input: GetMetricDataInput) => {
      const base = answer(() => 0)(input);
      // A busy minute at 10:30, inside the 2h look-back but before the 1h quiet span.
      for (const result of base.MetricDataResults ?? []) {
        if (result.Timestamps?.length === 60) {
          result.Timestamps = [new Date('2030-01-01T10:30:00Z'), ...result.Timestamps];
          result.Values = [90, ...(result.Values ?? [])];
        }
      }
      return base;
    });
    const read = await new GpuMetrics(cloudwatch, 'us-east-1', [source]).read(
      [{ instanceId: 'i-a', launchTime, gpuCount: 1, hostFrom }],
      window,
    );
    expect(read.get('i-a')!.host?.status).toBe('ok');
  });

  it('marks the host unreadable when its call fails, leaving the GPU telemetry as read', async () => {
    cwMock.on(ListMetricsCommand).resolves({ Metrics: [rollup('i-quiet')] });
    cwMock.on(GetMetricDataCommand).callsFake(answer(() => 0, true));
    const read = await new GpuMetrics(cloudwatch, 'us-east-1', [source]).read(
      [{ instanceId: 'i-quiet', launchTime, gpuCount: 1, hostFrom }],
      { ...window, splitUntil: 0 },
    );
    const telemetry = read.get('i-quiet')!;
    expect(telemetry.status).toBe('ok');
    expect(telemetry.points.length).toBeGreaterThan(0);
    expect(telemetry.host?.status).toBe('error');
  });
});
