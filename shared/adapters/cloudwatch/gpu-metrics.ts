/**
 * The CloudWatch adapter: GPU telemetry of many instances in a few batched calls (docs/rules.md).
 * The instance rollup series is read when it exists, else every per-GPU series and the maximum across GPUs per
 * minute: one busy GPU of eight means busy, so never the average. Missing data and failed reads stay distinct
 * (`missing`, `error`), and neither is evidence of idleness.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { AGENT_START_MS } from '../../engine/telemetry';
import type { GpuPoint, GpuTelemetry } from '../../engine/types';
import { readSeriesGroups, type Sample, type SeriesGroup } from './gpu-metric-batches';
import { GpuSeriesIndex, type InstanceSeries, type MetricName, type SeriesIndexOptions } from './gpu-series-index';

/** One instance to read telemetry for. */
interface TelemetryRequest {
  readonly instanceId: string;
  /** Since the last start; when before the window, the maximum since launch is read too (hourly). */
  readonly launchTime: Date;
}

/** The look-back window: `[now − lookbackMs, now)`, both ends floored to the minute. */
interface TelemetryWindow {
  readonly now: Date;
  readonly lookbackMs: number;
  /**
   * Read the maximum since launch only for instances whose window stays entirely below this value (the never-used
   * threshold): for any other instance it cannot change a decision, and skipping it halves the metrics requested.
   * `null` reads it for none (never-used disabled).
   * @default read it for every instance launched before the window
   */
  readonly sinceLaunchBelow?: number | null;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
/**
 * Launches this recent have their since-launch read per minute (GetMetricData is billed per metric, not per
 * datapoint, so it costs the same as hourly), which also shows the run's coverage before the window; older ones
 * are read hourly: their maximum only.
 */
const PER_MINUTE_SINCE_LAUNCH_MS = 24 * HOUR;

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;

/**
 * Per-minute maxima across series, ascending, inside `[from, to)`. A sample that is not a finite number is no
 * reading: skipped, so it cannot turn the minute's maximum into NaN and hide another GPU's busy value.
 */
function mergeByMinute(samples: readonly Sample[], from: number, to: number): GpuPoint[] {
  const byMinute = new Map<number, number>();
  for (const sample of samples) {
    if (!Number.isFinite(sample.value)) continue;
    const at = floorTo(sample.at, MINUTE);
    if (at < from || at >= to) continue;
    byMinute.set(at, Math.max(byMinute.get(at) ?? Number.NEGATIVE_INFINITY, sample.value));
  }
  return [...byMinute].sort(([a], [b]) => a - b).map(([at, max]) => ({ at, max }));
}

/** Distinct minutes with a datapoint in `[launch + the agent's start-up, from)`. */
function coveredBefore(samples: readonly Sample[], launchMs: number, from: number): number {
  const start = Math.ceil((launchMs + AGENT_START_MS) / MINUTE) * MINUTE;
  const minutes = new Set<number>();
  for (const sample of samples) {
    const at = floorTo(sample.at, MINUTE);
    if (at >= start && at < from && Number.isFinite(sample.value)) minutes.add(at);
  }
  return minutes.size;
}

function seriesOf(entry: InstanceSeries): InstanceSeries['perGpu'] {
  return entry.rollup ? [entry.rollup] : entry.perGpu;
}

/** GPU utilization reads of one region. */
class GpuMetrics {
  readonly #client: CloudWatchClient;
  readonly #region: string;
  readonly #metric: MetricName;
  readonly #index: GpuSeriesIndex;

  /**
   * @param metric the config's `metrics` slice (`CWAgent` / `nvidia_smi_utilization_gpu` by default)
   * @param options the listing cache (see {@link GpuSeriesIndex})
   */
  constructor(client: CloudWatchClient, region: string, metric: MetricName, options: SeriesIndexOptions = {}) {
    this.#client = client;
    this.#region = region;
    this.#metric = { namespace: metric.namespace, metric: metric.metric };
    this.#index = new GpuSeriesIndex(client, region, this.#metric, options);
  }

  /**
   * Telemetry for every requested instance over the window: one ListMetrics listing (cached), then GetMetricData
   * in chunks of ≤ 500 queries, never one call per instance.
   *
   * @returns one entry per requested instance id; never throws for a failed read (that instance says `error`)
   */
  async read(requests: readonly TelemetryRequest[], window: TelemetryWindow): Promise<Map<string, GpuTelemetry>> {
    const unique = [...new Map(requests.map((request) => [request.instanceId, request])).values()];
    const to = floorTo(window.now.getTime(), MINUTE);
    const from = Math.min(floorTo(window.now.getTime() - window.lookbackMs, MINUTE), to);
    const base = { from: new Date(from), to: new Date(to), points: [] as GpuPoint[], sinceLaunchMax: null };
    let index: ReadonlyMap<string, InstanceSeries>;
    try {
      index = await this.#index.lookup();
    } catch (error) {
      const message = (error as Error).message;
      return new Map(
        unique.map(({ instanceId }) => [instanceId, { ...base, status: 'error', source: 'none', error: message }]),
      );
    }

    const fine: SeriesGroup[] = [];
    for (const { instanceId } of unique) {
      const entry = index.get(instanceId);
      if (entry && from < to) fine.push({ instanceId, series: seriesOf(entry), start: new Date(from) });
    }
    const end = new Date(to);
    const fineResults = await readSeriesGroups(this.#client, this.#region, this.#metric, fine, {
      end,
      periodSeconds: 60,
    });

    const below = window.sinceLaunchBelow === undefined ? Number.POSITIVE_INFINITY : window.sinceLaunchBelow;
    const recent: SeriesGroup[] = [];
    const coarse: SeriesGroup[] = [];
    for (const { instanceId, launchTime } of unique) {
      const entry = index.get(instanceId);
      const samples = fineResults.get(instanceId)?.samples ?? [];
      const quietWindow = samples.length > 0 && below !== null && samples.every((sample) => sample.value < below);
      if (!entry || launchTime.getTime() >= from || !quietWindow) continue;
      if (window.now.getTime() - launchTime.getTime() <= PER_MINUTE_SINCE_LAUNCH_MS) {
        recent.push({ instanceId, series: seriesOf(entry), start: new Date(floorTo(launchTime.getTime(), MINUTE)) });
      } else {
        coarse.push({ instanceId, series: seriesOf(entry), start: new Date(floorTo(launchTime.getTime(), HOUR)) });
      }
    }
    // Neighbours in launch time share a chunk, so a chunk's start (its earliest member's) wastes little.
    const byStart = (a: SeriesGroup, b: SeriesGroup) => a.start.getTime() - b.start.getTime();
    const [recentResults, coarseResults] = await Promise.all([
      readSeriesGroups(this.#client, this.#region, this.#metric, recent.sort(byStart), { end, periodSeconds: 60 }),
      readSeriesGroups(this.#client, this.#region, this.#metric, coarse.sort(byStart), { end, periodSeconds: 3600 }),
    ]);

    const telemetry = new Map<string, GpuTelemetry>();
    for (const { instanceId, launchTime } of unique) {
      const entry = index.get(instanceId);
      if (!entry) {
        telemetry.set(instanceId, { ...base, status: 'missing', source: 'none' });
        continue;
      }
      const fineResult = fineResults.get(instanceId);
      const perMinute = recentResults.get(instanceId);
      const coarseResult = perMinute ?? coarseResults.get(instanceId);
      const readFrom = floorTo(launchTime.getTime(), perMinute ? MINUTE : HOUR);
      const sinceLaunch = (coarseResult?.samples ?? []).filter((sample) => sample.at >= readFrom);
      const error = fineResult?.error ?? coarseResult?.error;
      telemetry.set(instanceId, {
        ...base,
        status: error ? 'error' : 'ok',
        source: entry.rollup ? 'instance-rollup' : 'per-gpu',
        points: mergeByMinute(fineResult?.samples ?? [], from, to),
        sinceLaunchMax: sinceLaunch.length > 0 ? Math.max(...sinceLaunch.map((sample) => sample.value)) : null,
        sinceLaunchCovered: perMinute ? coveredBefore(perMinute.samples, launchTime.getTime(), from) : null,
        ...(entry.rollup ? {} : { gpuSeries: entry.perGpu.length }),
        ...(error ? { error } : {}),
      });
    }
    return telemetry;
  }

  /** Forgets the cached series listing (the next read lists again). */
  forgetListing(): void {
    this.#index.invalidate();
  }
}

export type { TelemetryRequest, TelemetryWindow };
export { GpuMetrics, mergeByMinute };
