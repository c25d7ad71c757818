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
import { MinuteMerger, type SeriesKind } from './gpu-minutes';
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
import { HostCollector, hostGroups } from './host-metrics';
import { DEFAULT_SPLIT_MS } from './read-timeout';

/** One instance to read telemetry for. */
interface TelemetryRequest {
  readonly instanceId: string;
  /** Since the last start; when before the window, the maximum since launch is read too. */
  readonly launchTime: Date;
  /** Series published by host name only are matched on it. @default none */
  readonly privateDnsName?: string | null;
  /** GPUs that must report for a minute to count as covered. @default the most per-GPU series of one source, or 1 */
  readonly gpuCount?: number;
  /**
   * Where this instance's host-metric read starts (`AWS/EC2` CPU and network), should its GPUs prove quiet: only
   * an instance a GPU rule could act on is read for host activity. `null` or absent: never read.
   */
  readonly hostFrom?: Date | null;
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
   * The span before `now` a window must stay quiet in for its rollups to be proven and its host read: the GPU rules'
   * own windows, when the look-back is longer (host activity's `notifyAfter`). @default `lookbackMs`
   */
  readonly quietSpanMs?: number;
  /**
   * Epoch ms after which a call that timed out or was throttled is no longer split and retried in halves (the
   * pass's time budget). @default 4 minutes from the start of the read
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

/** Whether the source of this series lists per-GPU series for the instance (a rollup can then be proven by them). */
function hasPerGpu(entry: InstanceSeries, series: ListedSeries): boolean {
  return (entry.bySource.get(sourceKey(series.source))?.perGpu.length ?? 0) > 0;
}

/** GPUs expected to report: the instance type's count, else the most per-GPU series one source lists, else 1. */
function expectedGpus(request: TelemetryRequest, entry: InstanceSeries): number {
  if (request.gpuCount !== undefined && request.gpuCount > 0) return request.gpuCount;
  return Math.max(1, ...[...entry.bySource.values()].map((source) => source.perGpu.length));
}

const refOf = (planned: PlannedSeries): SeriesRef => planned.series;
const kindOf = (planned: PlannedSeries): SeriesKind => ({
  source: sourceKey(planned.series.source),
  gpu: planned.series.gpu,
  stat: planned.stat,
  trusted: planned.trusted,
});

/**
 * One instance's read of its planned series: the merged minutes, the readings per series and the peak (both from
 * the instance's `quietFrom` on), any failure.
 */
interface PlanRead {
  readonly merger: MinuteMerger;
  readonly readings: Int32Array;
  peak: number;
  error?: string;
}

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
   * GetMetricData in chunks of ≤ 500 queries, never one call per instance. Readings are merged per minute as each
   * call answers: the read holds a few bytes per instance-minute, never the fleet's raw samples.
   *
   * @returns one entry per requested instance id; never throws for a failed read (that instance says `error`)
   */
  async read(requests: readonly TelemetryRequest[], window: TelemetryWindow): Promise<Map<string, GpuTelemetry>> {
    const unique = [...new Map(requests.map((request) => [request.instanceId, request])).values()];
    this.#stats = { calls: 0, splits: 0 };
    // No GPU instance to read (most targets of an organization): no listing, no call at all.
    if (unique.length === 0) return new Map();
    this.#splitUntil = window.splitUntil ?? Date.now() + DEFAULT_SPLIT_MS;
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
    const requestOf = new Map(unique.map((request) => [request.instanceId, request]));
    const expectedOf = (id: string) => expectedGpus(requestOf.get(id)!, entries.get(id)!);
    const end = new Date(to);

    // First read: rollups where published, else per-GPU series. Quiet is judged over the GPU rules' own span, on
    // this launch's minutes only: a busy minute before the last start (an earlier run) says nothing of this one.
    const spanFrom = Math.max(from, to - (window.quietSpanMs ?? window.lookbackMs));
    const quietFrom = (id: string) => Math.max(spanFrom, floorTo(requestOf.get(id)!.launchTime.getTime(), MINUTE));
    const plans = new Map([...entries].map(([id, entry]) => [id, firstPlan(entry)]));
    const first = await this.#readPlans(plans, from, end, expectedOf, quietFrom);

    // Quiet windows: prove every rollup per GPU, so a silent GPU is never read as an idle one.
    const quietBelow = window.quietBelow ?? 100;
    const proofs = new Map<string, PlannedSeries[]>();
    const hostStarts = new Map<string, Date>();
    for (const [id, plan] of plans) {
      const read = first.get(id)!;
      const quiet = !(read.peak >= quietBelow);
      // Host activity only for an instance a GPU rule could act on: quiet GPUs, read without error, old enough.
      const hostFrom = requestOf.get(id)!.hostFrom;
      if (quiet && !read.error && hostFrom) hostStarts.set(id, hostFrom);
      // A one-GPU rollup is its GPU: nothing to prove, unless it has no datapoint in the GPU rules' span (stale:
      // listed for two weeks after its last one) while its source lists per-GPU series, which must be read instead.
      // Without them there is nothing else to read: the stale rollup's own SampleCount has no datapoint either.
      const staleRollup = plan.some(
        (planned, index) =>
          planned.series.gpu === null && read.readings[index] === 0 && hasPerGpu(entries.get(id)!, planned.series),
      );
      if (quiet && (expectedOf(id) > 1 || staleRollup) && plan.some((planned) => planned.series.gpu === null)) {
        proofs.set(id, proofPlan(entries.get(id)!));
      }
    }
    const host = new HostCollector(hostStarts);
    const proven = await this.#readPlans(proofs, from, end, expectedOf, () => from, host, hostStarts);

    const telemetry = new Map<string, GpuTelemetry>();
    const sinceLaunch = new Map<string, { request: TelemetryRequest; plan: PlannedSeries[]; expected: number }>();
    const below = window.sinceLaunchBelow === undefined ? Number.POSITIVE_INFINITY : window.sinceLaunchBelow;
    for (const request of unique) {
      const entry = entries.get(request.instanceId);
      if (!entry) continue;
      const proved = proofs.has(request.instanceId);
      const plan = proofs.get(request.instanceId) ?? plans.get(request.instanceId)!;
      const result = (proved ? proven : first).get(request.instanceId)!;
      const error = first.get(request.instanceId)?.error ?? result.error;
      const points = result.merger.points();
      const quietForNeverUsed = below !== null && points.length > 0 && points.every((point) => point.max < below);
      if (!error && request.launchTime.getTime() < from && quietForNeverUsed) {
        sinceLaunch.set(request.instanceId, { request, plan, expected: expectedOf(request.instanceId) });
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
        ...(hostStarts.has(request.instanceId) ? { host: host.samplesOf(request.instanceId)! } : {}),
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

  /**
   * Reads the planned series of many instances per minute over `[from, end)`, merging each reading into the
   * instance's per-minute arrays as its call answers. The two statistics are two calls (GetMetricData takes one
   * per query, and SampleCount is rare: proofs only). Host metrics, when asked, ride in the Maximum calls (each
   * of their queries names its own statistic). A read's peak counts an instance's readings from its `quietFrom` on.
   */
  async #readPlans(
    plans: ReadonlyMap<string, readonly PlannedSeries[]>,
    from: number,
    end: Date,
    expectedOf: (instanceId: string) => number,
    quietFrom: (instanceId: string) => number = () => from,
    host?: HostCollector,
    hostStarts: ReadonlyMap<string, Date> = new Map(),
  ): Promise<Map<string, PlanRead>> {
    const reads = new Map<string, PlanRead>();
    // Each statistic's series of an instance, by their place in its plan.
    const places = new Map<string, { Maximum: number[]; SampleCount: number[] }>();
    const kinds = new Map([...plans].map(([instanceId, plan]) => [instanceId, plan.map(kindOf)]));
    const peakFrom = new Map([...plans.keys()].map((instanceId) => [instanceId, quietFrom(instanceId)]));
    for (const [instanceId, plan] of plans) {
      const merger = new MinuteMerger(from, end.getTime(), expectedOf(instanceId));
      reads.set(instanceId, { merger, readings: new Int32Array(plan.length), peak: Number.NEGATIVE_INFINITY });
      const own = { Maximum: [] as number[], SampleCount: [] as number[] };
      plan.forEach((planned, index) => {
        own[planned.stat].push(index);
      });
      places.set(instanceId, own);
    }
    const readStat = async (stat: PlannedSeries['stat']) => {
      const groups: SeriesGroup[] = [...plans].map(([instanceId, plan]) => ({
        instanceId,
        series: plan.filter((planned) => planned.stat === stat).map(refOf),
        start: new Date(from),
      }));
      if (stat === 'Maximum' && host) groups.push(...hostGroups(hostStarts));
      const sink = (key: string, position: number, sample: Sample) => {
        const hostOf = HostCollector.instanceOf(key);
        if (hostOf !== null) {
          host?.add(hostOf, position, sample);
          return;
        }
        const instanceId = key;
        const index = places.get(instanceId)![stat][position]!;
        const read = reads.get(instanceId)!;
        if (sample.at >= peakFrom.get(instanceId)!) {
          read.readings[index] = read.readings[index]! + 1;
          if (stat === 'Maximum' && sample.value > read.peak) read.peak = sample.value;
        }
        read.merger.add(kinds.get(instanceId)![index]!, sample.at, sample.value);
      };
      const results = await readSeriesGroups(this.#client, this.#region, groups, {
        end,
        periodSeconds: 60,
        ...(stat === 'SampleCount' ? { stat } : {}),
        ...this.#reading(),
        sink,
      });
      for (const [key, result] of results) {
        const hostOf = HostCollector.instanceOf(key);
        if (hostOf !== null && result.error) host?.fail(hostOf, result.error);
        const read = reads.get(key);
        if (read && result.error && !read.error) read.error = result.error;
      }
    };
    await Promise.all([readStat('Maximum'), readStat('SampleCount')]);
    return reads;
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
    const older: SeriesGroup[] = [];
    for (const [id, { request, plan }] of wanted) {
      if (now.getTime() - request.launchTime.getTime() <= PER_MINUTE_SINCE_LAUNCH_MS) {
        recent.set(id, plan);
      } else {
        const maxima = plan.filter((planned) => planned.stat === 'Maximum').map(refOf);
        older.push({ instanceId: id, series: maxima, start: new Date(floorTo(request.launchTime.getTime(), HOUR)) });
      }
    }
    // Neighbours in launch time share a chunk, so a chunk's start (its earliest member's) wastes little.
    const launchMinute = (id: string) => floorTo(wanted.get(id)!.request.launchTime.getTime(), MINUTE);
    const startOfRecent = Math.min(...[...recent.keys()].map(launchMinute));
    const hourlyPeak = new Map<string, number>();
    const [perMinute, hourly] = await Promise.all([
      recent.size > 0
        ? this.#readPlans(recent, startOfRecent, new Date(from), (id) => wanted.get(id)!.expected)
        : new Map<string, PlanRead>(),
      older.length > 0
        ? readSeriesGroups(
            this.#client,
            this.#region,
            older.sort((a, b) => a.start.getTime() - b.start.getTime()),
            {
              end,
              periodSeconds: 3600,
              ...this.#reading(),
              sink: (instanceId, _position, sample) => {
                const launchHour = floorTo(wanted.get(instanceId)!.request.launchTime.getTime(), HOUR);
                if (sample.at < launchHour || !Number.isFinite(sample.value)) return;
                hourlyPeak.set(
                  instanceId,
                  Math.max(hourlyPeak.get(instanceId) ?? Number.NEGATIVE_INFINITY, sample.value),
                );
              },
            },
          )
        : new Map<string, GroupResult>(),
    ]);
    for (const [id, { request }] of wanted) {
      const current = telemetry.get(id)!;
      const launch = request.launchTime.getTime();
      const minuteRead = perMinute.get(id);
      const windowPeak = current.points.length > 0 ? Math.max(...current.points.map((point) => point.max)) : null;
      if (minuteRead) {
        const before = minuteRead.merger.points().filter((point) => point.at >= floorTo(launch, MINUTE));
        const peaks = [windowPeak, ...(before.length > 0 ? [Math.max(...before.map((point) => point.max))] : [])];
        const known = peaks.filter((value): value is number => value !== null);
        telemetry.set(id, {
          ...current,
          sinceLaunchMax: known.length > 0 ? Math.max(...known) : null,
          sinceLaunchCovered: coveredBefore(before, launch, from),
          ...(minuteRead.error ? { status: 'error', error: minuteRead.error } : {}),
        });
        continue;
      }
      const error = hourly.get(id)?.error;
      const peak = hourlyPeak.get(id);
      telemetry.set(id, {
        ...current,
        sinceLaunchMax: peak === undefined ? null : peak,
        sinceLaunchCovered: null,
        ...(error ? { status: 'error', error } : {}),
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
