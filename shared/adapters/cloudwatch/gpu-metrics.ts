/**
 * The CloudWatch adapter: GPU telemetry of many instances in a few batched calls. Every configured source (the
 * agent's nvidia_smi metric, the Deep Learning AMIs' gpumon, …) is read for every instance it has series for; per
 * minute, the instance's value is the maximum across its GPUs and sources (one busy GPU of eight means busy, so
 * never the average), and a minute counts as covered only when every GPU reported in it.
 *
 * Cost: a source's rollup (one series over all GPUs) is read instead of its per-GPU series. Only for an instance
 * whose window stays quiet, so that coverage could matter, is the rollup proven: its per-GPU series are read (or,
 * without them, the rollup's `SampleCount`). A rollup with no datapoint (listed for two weeks after its last one) is
 * quiet too, so its live per-GPU series are read and a stale rollup hides nothing. Missing data and failed reads
 * stay distinct (`missing`, `error`), and neither is evidence of idleness.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { AGENT_START_MS } from '../../engine/telemetry';
import type { GpuPoint, GpuTelemetry } from '../../engine/types';
import {
  type GroupResult,
  type ReadStats,
  readSeriesGroups,
  type Sample,
  type SeriesGroup,
  type SeriesRef,
} from './gpu-metric-batches';
import { mergeMinutes, type SeriesSamples } from './gpu-minutes';
import {
  GpuSeriesIndex,
  type InstanceSeries,
  type ListedSeries,
  listMetric,
  type MetricName,
  type SeriesIndexOptions,
  type SeriesListing,
  sourceKey,
} from './gpu-series-index';

/** One instance to read telemetry for. */
interface TelemetryRequest {
  readonly instanceId: string;
  /** Since the last start; when before the window, the maximum since launch is read too. */
  readonly launchTime: Date;
  /** Series published by host name only are matched on it. @default none */
  readonly privateDnsName?: string | null;
  /** GPUs that must report for a minute to count as covered. @default the most per-GPU series of one source, or 1 */
  readonly gpuCount?: number;
}

/** The look-back window: `[now − lookbackMs, now)`, both ends floored to the minute. */
interface TelemetryWindow {
  readonly now: Date;
  readonly lookbackMs: number;
  /**
   * Read the maximum since launch only for instances whose window stays entirely below this value (the never-used
   * threshold): for any other instance it cannot change a decision. `null` reads it for none (never-used disabled).
   * @default read it for every instance launched before the window
   */
  readonly sinceLaunchBelow?: number | null;
  /**
   * A window whose maximum stays below this (the highest threshold of the rules) is quiet: its coverage can decide,
   * so its rollups are proven per GPU. @default 100 (always prove)
   */
  readonly quietBelow?: number;
  /**
   * Epoch ms after which a call that timed out or was throttled is no longer split and retried in halves (the
   * pass's time budget). @default 60 s from the start of the read
   */
  readonly splitUntil?: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
/**
 * Launches this recent have their since-launch read per minute (GetMetricData is billed per metric, not per
 * datapoint, so it costs the same as hourly), which also shows the run's coverage before the window; older ones
 * are read hourly: their maximum only.
 */
const PER_MINUTE_SINCE_LAUNCH_MS = 24 * HOUR;
/** Where the agent's GPU memory series live: published without utilization, they mean MIG mode. */
const MIG_PROBE = { namespace: 'CWAgent', metric: 'nvidia_smi_memory_used' } as const;

const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;

/** One series the read plan includes, with what it proves about coverage. */
interface PlannedSeries {
  readonly series: ListedSeries;
  readonly stat: 'Maximum' | 'SampleCount';
  readonly trusted: boolean;
}

/** The series to read for an instance: each source's rollup when it has one, else its per-GPU series. */
function firstPlan(entry: InstanceSeries): PlannedSeries[] {
  return [...entry.bySource.values()].flatMap((source): PlannedSeries[] =>
    source.rollup
      ? [{ series: source.rollup, stat: 'Maximum', trusted: true }]
      : source.perGpu.map((series) => ({ series, stat: 'Maximum' as const, trusted: false })),
  );
}

/** For a quiet window: each rollup proven by its per-GPU series, or by its own SampleCount without them. */
function proofPlan(entry: InstanceSeries): PlannedSeries[] {
  return [...entry.bySource.values()].flatMap((source): PlannedSeries[] => {
    if (source.rollup === null) return source.perGpu.map((series) => ({ series, stat: 'Maximum', trusted: false }));
    if (source.perGpu.length > 0) {
      return [
        { series: source.rollup, stat: 'Maximum', trusted: false },
        ...source.perGpu.map((series) => ({ series, stat: 'Maximum' as const, trusted: false })),
      ];
    }
    return [
      { series: source.rollup, stat: 'Maximum', trusted: false },
      { series: source.rollup, stat: 'SampleCount', trusted: false },
    ];
  });
}

/** GPUs expected to report: the instance type's count, else the most per-GPU series one source lists, else 1. */
function expectedGpus(request: TelemetryRequest, entry: InstanceSeries): number {
  if (request.gpuCount !== undefined && request.gpuCount > 0) return request.gpuCount;
  return Math.max(1, ...[...entry.bySource.values()].map((source) => source.perGpu.length));
}

const refOf = (planned: PlannedSeries): SeriesRef => planned.series;
const tagged = (plan: readonly PlannedSeries[], result: GroupResult | undefined): SeriesSamples[] =>
  plan.map((planned, index) => ({
    source: sourceKey(planned.series.source),
    gpu: planned.series.gpu,
    stat: planned.stat,
    trusted: planned.trusted,
    samples: result?.perSeries[index] ?? [],
  }));

/** Distinct covered minutes in `[launch + the agent's start-up, from)`. */
function coveredBefore(points: readonly GpuPoint[], launchMs: number, from: number): number {
  const start = Math.ceil((launchMs + AGENT_START_MS) / MINUTE) * MINUTE;
  return points.filter((point) => point.partial !== true && point.at >= start && point.at < from).length;
}

/** GPU utilization reads of one region. */
class GpuMetrics {
  readonly #client: CloudWatchClient;
  readonly #region: string;
  readonly #sources: readonly MetricName[];
  readonly #index: GpuSeriesIndex;
  readonly #migIndex: GpuSeriesIndex | null;
  #unmatched = 0;
  #stats: ReadStats = { calls: 0, splits: 0 };
  #splitUntil = 0;

  /**
   * @param sources the config's `metrics.sources` (one source is accepted as is)
   * @param options the listing cache (see {@link GpuSeriesIndex})
   */
  constructor(
    client: CloudWatchClient,
    region: string,
    sources: MetricName | readonly MetricName[],
    options: SeriesIndexOptions = {},
  ) {
    this.#client = client;
    this.#region = region;
    const list: readonly MetricName[] = Array.isArray(sources) ? sources : [sources as MetricName];
    this.#sources = list.map((source) => ({ namespace: source.namespace, metric: source.metric }));
    this.#index = new GpuSeriesIndex(client, region, this.#sources, options);
    const readsAgent = this.#sources.some((source) => source.metric === 'nvidia_smi_utilization_gpu');
    this.#migIndex = readsAgent ? new GpuSeriesIndex(client, region, [MIG_PROBE], options) : null;
  }

  /**
   * Telemetry for every requested instance over the window: one ListMetrics listing per source (cached), then
   * GetMetricData in chunks of ≤ 500 queries, never one call per instance.
   *
   * @returns one entry per requested instance id; never throws for a failed read (that instance says `error`)
   */
  async read(requests: readonly TelemetryRequest[], window: TelemetryWindow): Promise<Map<string, GpuTelemetry>> {
    const unique = [...new Map(requests.map((request) => [request.instanceId, request])).values()];
    this.#stats = { calls: 0, splits: 0 };
    this.#splitUntil = window.splitUntil ?? Date.now() + 60_000;
    const to = floorTo(window.now.getTime(), MINUTE);
    const from = Math.min(floorTo(window.now.getTime() - window.lookbackMs, MINUTE), to);
    const base = { from: new Date(from), to: new Date(to), points: [] as GpuPoint[], sinceLaunchMax: null };
    let listing: SeriesListing;
    try {
      listing = await this.#index.lookup();
    } catch (error) {
      const message = (error as Error).message;
      return new Map(
        unique.map(({ instanceId }) => [instanceId, { ...base, status: 'error', source: 'none', error: message }]),
      );
    }
    const entries = new Map(
      unique.flatMap((request) => {
        const entry = listing.seriesOf(request);
        return entry ? [[request.instanceId, entry] as const] : [];
      }),
    );
    const end = new Date(to);

    // First read: rollups where published, else per-GPU series.
    const plans = new Map([...entries].map(([id, entry]) => [id, firstPlan(entry)]));
    const first = await this.#readPlans(plans, from, end, 60);

    // Quiet windows: prove every rollup per GPU, so a silent GPU is never read as an idle one.
    const quietBelow = window.quietBelow ?? 100;
    const proofs = new Map<string, PlannedSeries[]>();
    const requestOf = new Map(unique.map((request) => [request.instanceId, request]));
    for (const [id, plan] of plans) {
      const samples = first.get(id)?.samples ?? [];
      const quiet = samples.every((sample) => sample.value < quietBelow);
      // A one-GPU rollup is its GPU: nothing to prove, unless it has no datapoint (stale: listed for two weeks
      // after its last one), when the live per-GPU series must be read instead.
      const severalGpus = expectedGpus(requestOf.get(id)!, entries.get(id)!) > 1;
      const perSeries = first.get(id)?.perSeries ?? [];
      const staleRollup = plan.some((planned, index) => planned.series.gpu === null && !perSeries[index]?.length);
      if (quiet && (severalGpus || staleRollup) && plan.some((planned) => planned.series.gpu === null)) {
        proofs.set(id, proofPlan(entries.get(id)!));
      }
    }
    const proven = await this.#readPlans(proofs, from, end, 60);

    const telemetry = new Map<string, GpuTelemetry>();
    const sinceLaunch = new Map<string, { request: TelemetryRequest; plan: PlannedSeries[]; expected: number }>();
    const below = window.sinceLaunchBelow === undefined ? Number.POSITIVE_INFINITY : window.sinceLaunchBelow;
    for (const request of unique) {
      const entry = entries.get(request.instanceId);
      if (!entry) continue;
      const plan = proofs.get(request.instanceId) ?? plans.get(request.instanceId)!;
      const result = (proofs.has(request.instanceId) ? proven : first).get(request.instanceId);
      const error = first.get(request.instanceId)?.error ?? result?.error;
      const expected = expectedGpus(request, entry);
      const points = mergeMinutes(tagged(plan, result), expected, from, to);
      const quietForNeverUsed = below !== null && points.length > 0 && points.every((point) => point.max < below);
      if (!error && request.launchTime.getTime() < from && quietForNeverUsed) {
        sinceLaunch.set(request.instanceId, { request, plan, expected });
      }
      const rollupOnly = plan.every((planned) => planned.series.gpu === null);
      telemetry.set(request.instanceId, {
        ...base,
        status: error ? 'error' : 'ok',
        source: rollupOnly ? 'instance-rollup' : 'per-gpu',
        points,
        sources: [...entry.bySource.keys()],
        ...(rollupOnly ? {} : { gpuSeries: plan.filter((planned) => planned.series.gpu !== null).length }),
        ...(error ? { error } : {}),
      });
    }
    await this.#readSinceLaunch(sinceLaunch, telemetry, window.now, from, end);

    const mig = await this.#migInstances(unique.filter((request) => !entries.has(request.instanceId)));
    for (const request of unique) {
      if (entries.has(request.instanceId)) continue;
      const flagged = mig.has(request.instanceId) ? { mig: true } : {};
      telemetry.set(request.instanceId, { ...base, status: 'missing', source: 'none', ...flagged });
    }
    this.#unmatched = listing.unmatched(unique);
    return telemetry;
  }

  /**
   * After a read: listed series that belong to none of its instances (a host name that is no private DNS name, or
   * no instance dimension at all), so an admin sees a misconfigured agent fleet at a glance.
   */
  get unmatchedSeries(): number {
    return this.#unmatched;
  }

  /** After a read: its GetMetricData calls, and how often a call that timed out or was throttled was split. */
  get readStats(): Readonly<ReadStats> {
    return this.#stats;
  }

  /** Forgets the cached listings (the next read lists again). */
  forgetListing(): void {
    this.#index.invalidate();
    this.#migIndex?.invalidate();
  }

  async #readPlans(
    plans: ReadonlyMap<string, readonly PlannedSeries[]>,
    from: number,
    end: Date,
    periodSeconds: number,
  ): Promise<Map<string, GroupResult>> {
    // The two statistics are two calls: GetMetricData asks one per query, and SampleCount is rare (proofs only).
    const byStat = (stat: PlannedSeries['stat']): SeriesGroup[] =>
      [...plans].map(([instanceId, plan]) => ({
        instanceId,
        series: plan.filter((planned) => planned.stat === stat).map(refOf),
        start: new Date(from),
      }));
    const [maxima, counts] = await Promise.all([
      readSeriesGroups(this.#client, this.#region, byStat('Maximum'), { end, periodSeconds, ...this.#reading() }),
      readSeriesGroups(this.#client, this.#region, byStat('SampleCount'), {
        end,
        periodSeconds,
        stat: 'SampleCount',
        ...this.#reading(),
      }),
    ]);
    // Back into plan order: each plan's Maximum series first, in order, then its SampleCount ones.
    const merged = new Map<string, GroupResult>();
    for (const [instanceId, plan] of plans) {
      const max = maxima.get(instanceId);
      const count = counts.get(instanceId);
      let m = 0;
      let c = 0;
      const perSeries: Sample[][] = plan.map((planned) =>
        planned.stat === 'Maximum' ? (max?.perSeries[m++] ?? []) : (count?.perSeries[c++] ?? []),
      );
      const error = max?.error ?? count?.error;
      merged.set(instanceId, { samples: max?.samples ?? [], perSeries, ...(error ? { error } : {}) });
    }
    return merged;
  }

  #reading(): { stats: ReadStats; splitUntil: number } {
    return { stats: this.#stats, splitUntil: this.#splitUntil };
  }

  /** The maximum since launch (and, within a day of it, the covered minutes before the window). */
  async #readSinceLaunch(
    wanted: ReadonlyMap<string, { request: TelemetryRequest; plan: PlannedSeries[]; expected: number }>,
    telemetry: Map<string, GpuTelemetry>,
    now: Date,
    from: number,
    end: Date,
  ): Promise<void> {
    const recent = new Map<string, PlannedSeries[]>();
    const older = new Map<string, PlannedSeries[]>();
    for (const [id, { request, plan }] of wanted) {
      const maxima = plan.filter((planned) => planned.stat === 'Maximum');
      if (now.getTime() - request.launchTime.getTime() <= PER_MINUTE_SINCE_LAUNCH_MS) recent.set(id, plan);
      else older.set(id, maxima);
    }
    const startOf = (ids: Iterable<string>, unit: number) =>
      Math.min(...[...ids].map((id) => floorTo(wanted.get(id)!.request.launchTime.getTime(), unit)));
    const [perMinute, hourly] = await Promise.all([
      recent.size > 0 ? this.#readPlans(recent, startOf(recent.keys(), MINUTE), end, 60) : new Map(),
      older.size > 0 ? this.#readPlans(older, startOf(older.keys(), HOUR), end, 3600) : new Map(),
    ]);
    for (const [id, { request, expected }] of wanted) {
      const current = telemetry.get(id)!;
      const launch = request.launchTime.getTime();
      const minuteResult = perMinute.get(id) as GroupResult | undefined;
      if (minuteResult) {
        const plan = recent.get(id)!;
        const entryPoints = mergeMinutes(tagged(plan, minuteResult), expected, floorTo(launch, MINUTE), from);
        const peak = entryPoints.length > 0 ? Math.max(...entryPoints.map((point) => point.max)) : null;
        const windowPeak = current.points.length > 0 ? Math.max(...current.points.map((point) => point.max)) : null;
        const all = [peak, windowPeak].filter((value): value is number => value !== null);
        telemetry.set(id, {
          ...current,
          sinceLaunchMax: all.length > 0 ? Math.max(...all) : null,
          sinceLaunchCovered: coveredBefore(entryPoints, launch, from),
          ...(minuteResult.error ? { status: 'error', error: minuteResult.error } : {}),
        });
        continue;
      }
      const hourResult = hourly.get(id) as GroupResult | undefined;
      const samples = (hourResult?.samples ?? []).filter((sample) => sample.at >= floorTo(launch, HOUR));
      telemetry.set(id, {
        ...current,
        sinceLaunchMax: samples.length > 0 ? Math.max(...samples.map((sample) => sample.value)) : null,
        sinceLaunchCovered: null,
        ...(hourResult?.error ? { status: 'error', error: hourResult.error } : {}),
      });
    }
  }

  /** Instances without utilization series that publish GPU memory: MIG mode. Never fails the read. */
  async #migInstances(requests: readonly TelemetryRequest[]): Promise<Set<string>> {
    if (this.#migIndex === null || requests.length === 0) return new Set();
    try {
      const listing = await this.#migIndex.lookup();
      return new Set(requests.filter((request) => listing.seriesOf(request)).map((request) => request.instanceId));
    } catch {
      return new Set();
    }
  }
}

export type { TelemetryRequest, TelemetryWindow };
export { GpuMetrics, listMetric };
