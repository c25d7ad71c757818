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
 *
 * Two options serve the fleet report: `periodSeconds: 300` reads 5-minute maxima even where 1-minute data is kept
 * (a week then costs a fifth of the datapoints; bands, never used and runs need no finer grain), and
 * `busyThreshold` reads every per-GPU series (rather than a source's rollup) and counts, per minute, the GPUs at or
 * above it at once. Without them (the backtest) the read is exactly the 1-minute, rollup-first read.
 */
import type { CloudWatchClient, Dimension, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { paginateGetMetricData } from '@aws-sdk/client-cloudwatch';
import { AwsError, ErrorCode } from '../../errors';
import { toAwsError } from '../aws/aws-errors';
import { callWindows, resolutionSegments, type Segment } from './gpu-history-plan';
import { MAX_QUERIES_PER_CALL, packGroups, type SeriesGroup } from './gpu-metric-batches';
import { GpuSeriesIndex, type InstanceSeries, type ListedSeries, type MetricName } from './gpu-series-index';

/**
 * Each source's rollup where it publishes one, else its per-GPU series; with `perGpuFirst` each source's per-GPU
 * series where it publishes some, else its rollup (counting busy GPUs needs each GPU's own series).
 */
function historySeries(entry: InstanceSeries, perGpuFirst = false): ListedSeries[] {
  return [...entry.bySource.values()].flatMap((source) =>
    (perGpuFirst ? source.perGpu.length === 0 : source.rollup !== null) ? [source.rollup!] : [...source.perGpu],
  );
}

/** Set bits of a 32-bit mask: how many GPUs were busy in one minute. */
function bitCount(mask: number): number {
  let value = mask - ((mask >>> 1) & 0x55555555);
  value = (value & 0x33333333) + ((value >>> 2) & 0x33333333);
  return (((value + (value >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** GPUs one mask can tell apart; no EC2 type has more than 16. */
const MAX_GPUS = 32;

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
  /**
   * The finest period to read, in seconds (60 or 300): coarser where CloudWatch keeps only coarser data. The fleet
   * report reads a week at 300: 5-minute maxima place every minute in the same band and never-used holds alike.
   * @default 60
   */
  readonly periodSeconds?: number;
  /**
   * Count per minute the GPUs at or above this utilization at once ({@link SeriesHistory.busyGpus}); per-GPU
   * series are then read even where a source publishes a rollup. @default none (no counts: the backtest's read)
   */
  readonly busyThreshold?: number;
  /**
   * Instances per batch of {@link GpuHistory.batches}: each batch is read and handed over before the next starts,
   * so a caller that drops each batch holds one at a time. @default all in one batch
   */
  readonly instancesPerBatch?: number;
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
  /**
   * With `busyThreshold`: per minute, how many GPUs were at or above it at once (0 where none or no datapoint);
   * present only when per-GPU series were read. A coarser period counts a GPU busy over all its minutes, so the count
   * may overstate concurrency, never understate it.
   */
  readonly busyGpus?: Uint8Array;
  /** With `busyThreshold`: the GPUs that publish a series of their own (0 for rollup-only telemetry). */
  readonly gpuCount?: number;
}

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;

/** What a read needs to count busy GPUs: the threshold, each instance's GPU bits, and the per-minute masks. */
interface BusyCounting {
  readonly threshold: number;
  readonly gpuBits: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly masks: ReadonlyMap<string, Uint32Array>;
}

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
    const all: SeriesHistory[] = [];
    for await (const batch of this.batches(range)) all.push(...batch);
    return all;
  }

  /**
   * The same histories in batches of `instancesPerBatch` instances (one ListMetrics listing for all), each read
   * whole before it is handed over, so memory holds one batch's arrays at a time.
   *
   * @throws AwsError when ListMetrics or GetMetricData fails
   */
  async *batches(range: { readonly from: Date; readonly to: Date }): AsyncGenerator<SeriesHistory[]> {
    const fromMs = floorTo(range.from.getTime(), MINUTE_MS);
    const toMs = floorTo(range.to.getTime(), MINUTE_MS);
    const listing = await new GpuSeriesIndex(this.#client, this.#region, this.#sources).lookup();
    // The same series a live pass reads first, from every source: rollups where published, else per GPU; the
    // maximum across them per minute. Host-only series stand for an instance named by its host.
    const entries = new Map<string, InstanceSeries>();
    for (const instanceId of listing.instanceIds()) entries.set(instanceId, listing.seriesOf({ instanceId })!);
    for (const host of listing.hosts()) entries.set(host, listing.seriesOfHost(host)!);
    const all = [...entries];
    const size = Math.max(1, this.#options.instancesPerBatch ?? all.length);
    for (let start = 0; start < all.length; start += size) {
      yield await this.#readBatch(all.slice(start, start + size), fromMs, toMs);
    }
  }

  async #readBatch(
    entries: readonly (readonly [string, InstanceSeries])[],
    fromMs: number,
    toMs: number,
  ): Promise<SeriesHistory[]> {
    const length = Math.max(0, (toMs - fromMs) / MINUTE_MS);
    const counting = this.#options.busyThreshold !== undefined;
    const groups: SeriesGroup[] = entries.map(([instanceId, entry]) => ({
      instanceId,
      series: historySeries(entry, counting),
      start: new Date(fromMs),
    }));
    const arrays = new Map(groups.map((group) => [group.instanceId, new Float32Array(length).fill(Number.NaN)]));
    // With busy counts: each GPU of an instance (by its GPU dimension's value, the same GPU across sources) a bit.
    const gpuBits = new Map<string, Map<string, number>>();
    const masks = new Map<string, Uint32Array>();
    if (counting) {
      for (const group of groups) {
        const bits = new Map<string, number>();
        for (const series of group.series as ListedSeries[]) {
          if (series.gpu !== null && !bits.has(series.gpu) && bits.size < MAX_GPUS) bits.set(series.gpu, bits.size);
        }
        gpuBits.set(group.instanceId, bits);
        if (bits.size > 0) masks.set(group.instanceId, new Uint32Array(length));
      }
    }
    const budget = this.#options.datapointsPerCall ?? MAX_DATAPOINTS_PER_CALL;
    const finest = this.#options.periodSeconds ?? 60;
    const calls: { chunk: SeriesGroup[]; segment: Segment; window: [number, number] }[] = [];
    for (const part of resolutionSegments(fromMs, toMs, (this.#options.clock ?? Date.now)())) {
      const segment = { ...part, periodSeconds: Math.max(part.periodSeconds, finest) };
      // CloudWatch bills every query of every call: as few queries a call as cover the whole segment in one call
      // each (a week at 5 minutes: 50 a call), rather than 500 a call over many short windows, reads the same
      // datapoints for a fraction of the metrics requested.
      const periodMs = segment.periodSeconds * 1000;
      const periods = Math.ceil((segment.endMs - Math.floor(segment.startMs / periodMs) * periodMs) / periodMs);
      const perCall = Math.max(1, Math.min(MAX_QUERIES_PER_CALL, Math.floor(budget / Math.max(1, periods))));
      for (const chunk of packGroups(groups, perCall)) {
        const queries = chunk.reduce((sum, group) => sum + group.series.length, 0);
        for (const window of callWindows(segment, queries, budget)) calls.push({ chunk, segment, window });
      }
    }
    const busy = { threshold: this.#options.busyThreshold ?? Number.POSITIVE_INFINITY, gpuBits, masks };
    await inPool(calls, this.#options.concurrency ?? 4, ({ chunk, segment, window }) =>
      this.#readCall(chunk, segment, window, (id) => arrays.get(id)!, fromMs, busy),
    );
    const byId = new Map(entries);
    return groups
      .filter((group) => arrays.get(group.instanceId)!.some((value) => value >= 0))
      .map((group) => {
        const mask = masks.get(group.instanceId);
        const counts = counting
          ? {
              gpuCount: gpuBits.get(group.instanceId)?.size ?? 0,
              ...(mask ? { busyGpus: Uint8Array.from(mask, bitCount) } : {}),
            }
          : {};
        return {
          instanceId: group.instanceId,
          minutes: arrays.get(group.instanceId)!,
          source: historySeries(byId.get(group.instanceId)!, counting).every((s) => s.gpu === null)
            ? ('instance-rollup' as const)
            : ('per-gpu' as const),
          series: group.series.length,
          instanceType: typeHint(group.series.map((series) => series.dimensions)),
          ...counts,
        };
      });
  }

  async #readCall(
    chunk: readonly SeriesGroup[],
    segment: Segment,
    [startMs, endMs]: [number, number],
    arrayOf: (instanceId: string) => Float32Array,
    fromMs: number,
    busy: BusyCounting,
  ): Promise<void> {
    const owners: string[] = [];
    const bits: (number | undefined)[] = [];
    const queries: MetricDataQuery[] = [];
    for (const group of chunk) {
      for (const series of group.series) {
        owners.push(group.instanceId);
        const gpu = (series as ListedSeries).gpu;
        bits.push(gpu === null || gpu === undefined ? undefined : busy.gpuBits.get(group.instanceId)?.get(gpu));
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
          const position = Number(result.Id?.slice(1));
          const owner = owners[position];
          if (owner === undefined) continue;
          const minutes = arrayOf(owner);
          const bit = bits[position];
          const mask = bit === undefined ? undefined : busy.masks.get(owner);
          const values = result.Values ?? [];
          const stamps = result.Timestamps ?? [];
          for (let at = 0; at < values.length; at++) {
            const value = values[at]!;
            const time = stamps[at]?.getTime();
            if (time === undefined || !(value >= 0)) continue;
            const start = Math.floor((time - fromMs) / MINUTE_MS);
            const counted = mask !== undefined && value >= busy.threshold;
            for (let minute = Math.max(start, first); minute < Math.min(start + spread, last); minute++) {
              if (!(minutes[minute]! >= value)) minutes[minute] = value;
              if (counted) mask[minute] = (mask[minute] ?? 0) | (1 << bit!);
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
