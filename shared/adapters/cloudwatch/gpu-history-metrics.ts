/**
 * Days of per-minute GPU history for a backtest, for every instance that has the GPU metric in the region
 * (ListMetrics, so instances that no longer exist are read too). The instance rollup series is read when it
 * exists, else every per-GPU series and the maximum across GPUs per minute.
 *
 * Resolution follows CloudWatch's retention (see gpu-history-plan.ts). A coarser datapoint is spread over the
 * minutes it covers (a 5-minute Maximum becomes five minutes at that value), so an older range reads as running a
 * little longer and a little busier than it was, never less: a backtest over it is an estimate. Calls stay within
 * GetMetricData's limits (≤ 500 queries, ≤ 100,800 datapoints), NextToken followed; values stream into typed arrays.
 * Note: ListMetrics only lists series that received data in the last two weeks (of the wall clock).
 */
import type { CloudWatchClient, Dimension, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { paginateGetMetricData } from '@aws-sdk/client-cloudwatch';
import { AwsError, ErrorCode } from '../../errors';
import { toAwsError } from '../aws/aws-errors';
import { callWindows, resolutionSegments, type Segment } from './gpu-history-plan';
import { MAX_QUERIES_PER_CALL, packGroups, type SeriesGroup } from './gpu-metric-batches';
import { GpuSeriesIndex, type InstanceSeries, type ListedSeries, type MetricName } from './gpu-series-index';

/** Each source's rollup where it publishes one, else its per-GPU series. */
function historySeries(entry: InstanceSeries): ListedSeries[] {
  return [...entry.bySource.values()].flatMap((source) => (source.rollup ? [source.rollup] : [...source.perGpu]));
}

const MINUTE_MS = 60_000;
/** GetMetricData's ceiling of datapoints in one answer. */
const MAX_DATAPOINTS_PER_CALL = 100_800;

/** Options of the history reader. */
interface GpuHistoryOptions {
  /** Datapoints one call may return (queries × periods). @default 100800 */
  readonly datapointsPerCall?: number;
  /** GetMetricData calls in flight. @default 4 */
  readonly concurrency?: number;
  /** The wall clock, for CloudWatch's retention (never the backtest's `--now`). @default Date.now */
  readonly clock?: () => number;
}

/** The per-minute history of one instance. */
interface SeriesHistory {
  readonly instanceId: string;
  /** Index 0 is the minute starting at the range's `from`; `NaN` where no datapoint exists. */
  readonly minutes: Float32Array;
  readonly source: 'instance-rollup' | 'per-gpu';
  readonly series: number;
  /** From an `InstanceType` dimension, when the agent appends one. */
  readonly instanceType: string | null;
}

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;

function typeHint(series: readonly (readonly Dimension[])[]): string | null {
  for (const dimensions of series) {
    const value = dimensions.find((dimension) => dimension.Name === 'InstanceType')?.Value;
    if (value) return value;
  }
  return null;
}

async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Reads GPU history of one region. */
class GpuHistory {
  readonly #client: CloudWatchClient;
  readonly #region: string;
  readonly #sources: readonly MetricName[];
  readonly #options: GpuHistoryOptions;

  /** @param sources the config's `metrics.sources` (one source is accepted as is) */
  constructor(
    client: CloudWatchClient,
    region: string,
    sources: MetricName | readonly MetricName[],
    options: GpuHistoryOptions = {},
  ) {
    this.#client = client;
    this.#region = region;
    const list: readonly MetricName[] = Array.isArray(sources) ? sources : [sources as MetricName];
    this.#sources = list.map((source) => ({ namespace: source.namespace, metric: source.metric }));
    this.#options = options;
  }

  /**
   * Per-minute maxima over `[from, to)` (both floored to the minute) for every instance with the metric; instances
   * without a datapoint in the range are left out.
   *
   * @throws AwsError when ListMetrics or GetMetricData fails: a backtest on partial history would mislead
   */
  async read(range: { readonly from: Date; readonly to: Date }): Promise<SeriesHistory[]> {
    const fromMs = floorTo(range.from.getTime(), MINUTE_MS);
    const toMs = floorTo(range.to.getTime(), MINUTE_MS);
    const length = Math.max(0, (toMs - fromMs) / MINUTE_MS);
    const listing = await new GpuSeriesIndex(this.#client, this.#region, this.#sources).lookup();
    // The same series a live pass reads first, from every source: rollups where published, else per GPU; the
    // maximum across them per minute. Host-only series stand for an instance named by its host.
    const entries = new Map<string, InstanceSeries>();
    for (const instanceId of listing.instanceIds()) entries.set(instanceId, listing.seriesOf({ instanceId })!);
    for (const host of listing.hosts()) entries.set(host, listing.seriesOfHost(host)!);
    const groups: SeriesGroup[] = [...entries].map(([instanceId, entry]) => ({
      instanceId,
      series: historySeries(entry),
      start: new Date(fromMs),
    }));
    const arrays = new Map(groups.map((group) => [group.instanceId, new Float32Array(length).fill(Number.NaN)]));
    const budget = this.#options.datapointsPerCall ?? MAX_DATAPOINTS_PER_CALL;
    const calls: { chunk: SeriesGroup[]; segment: Segment; window: [number, number] }[] = [];
    for (const segment of resolutionSegments(fromMs, toMs, (this.#options.clock ?? Date.now)())) {
      for (const chunk of packGroups(groups, MAX_QUERIES_PER_CALL)) {
        const queries = chunk.reduce((sum, group) => sum + group.series.length, 0);
        for (const window of callWindows(segment, queries, budget)) calls.push({ chunk, segment, window });
      }
    }
    await inPool(calls, this.#options.concurrency ?? 4, ({ chunk, segment, window }) =>
      this.#readCall(chunk, segment, window, (id) => arrays.get(id)!, fromMs),
    );
    return groups
      .filter((group) => arrays.get(group.instanceId)!.some((value) => value >= 0))
      .map((group) => ({
        instanceId: group.instanceId,
        minutes: arrays.get(group.instanceId)!,
        source: historySeries(entries.get(group.instanceId)!).every((s) => s.gpu === null)
          ? 'instance-rollup'
          : 'per-gpu',
        series: group.series.length,
        instanceType: typeHint(group.series.map((series) => series.dimensions)),
      }));
  }

  async #readCall(
    chunk: readonly SeriesGroup[],
    segment: Segment,
    [startMs, endMs]: [number, number],
    arrayOf: (instanceId: string) => Float32Array,
    fromMs: number,
  ): Promise<void> {
    const owners: string[] = [];
    const queries: MetricDataQuery[] = [];
    for (const group of chunk) {
      for (const series of group.series) {
        owners.push(group.instanceId);
        const Metric = {
          Namespace: series.source.namespace,
          MetricName: series.source.metric,
          Dimensions: [...series.dimensions],
        };
        queries.push({
          Id: `q${queries.length}`,
          MetricStat: { Metric, Period: segment.periodSeconds, Stat: 'Maximum' },
        });
      }
    }
    const spread = segment.periodSeconds / 60;
    const first = (segment.startMs - fromMs) / MINUTE_MS;
    const last = (segment.endMs - fromMs) / MINUTE_MS;
    const input = { StartTime: new Date(startMs), EndTime: new Date(endMs), ScanBy: 'TimestampAscending' as const };
    try {
      for await (const page of paginateGetMetricData(
        { client: this.#client },
        { ...input, MetricDataQueries: queries },
      )) {
        for (const result of page.MetricDataResults ?? []) {
          if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
            throw new AwsError(ErrorCode.AwsCall, 'GetMetricData', `status ${result.StatusCode} for a GPU series`);
          }
          const owner = owners[Number(result.Id?.slice(1))];
          if (owner === undefined) continue;
          const minutes = arrayOf(owner);
          const values = result.Values ?? [];
          const stamps = result.Timestamps ?? [];
          for (let at = 0; at < values.length; at++) {
            const value = values[at]!;
            const time = stamps[at]?.getTime();
            if (time === undefined || !(value >= 0)) continue;
            const start = Math.floor((time - fromMs) / MINUTE_MS);
            for (let minute = Math.max(start, first); minute < Math.min(start + spread, last); minute++) {
              if (!(minutes[minute]! >= value)) minutes[minute] = value;
            }
          }
        }
      }
    } catch (error) {
      throw toAwsError(error, 'GetMetricData', this.#region);
    }
  }
}

export type { GpuHistoryOptions, SeriesHistory };
export { GpuHistory, MAX_DATAPOINTS_PER_CALL };
