/**
 * Which GPU utilization series exist, per instance: one ListMetrics listing of the metric (paginated), cached for
 * a few minutes so that consecutive reads, and the regions of one pass, do not list again.
 */
import { type CloudWatchClient, type Dimension, paginateListMetrics } from '@aws-sdk/client-cloudwatch';
import { toAwsError } from '../aws/aws-errors';

/** The series of one instance: the instance rollup, when the agent publishes one, and every other series. */
interface InstanceSeries {
  /** The series whose only dimension is `InstanceId` (from `aggregation_dimensions: [["InstanceId"]]`). */
  readonly rollup: readonly Dimension[] | null;
  /** Series with `InstanceId` plus other dimensions (per GPU: `index`, `name`, `uuid`, …). */
  readonly perGpu: readonly (readonly Dimension[])[];
}

/** The metric to look for. */
interface MetricName {
  readonly namespace: string;
  readonly metric: string;
}

/** Options of the series index. */
interface SeriesIndexOptions {
  /**
   * How long a listing is reused, in ms.
   * @default 180000
   */
  readonly ttlMs?: number;
  /** Wall clock for the cache (not the pass's `now`, which may be simulated). @default Date.now */
  readonly clock?: () => number;
}

/** `name=value` pairs, sorted: the same series whatever order ListMetrics gives the dimensions in. */
function seriesKey(dimensions: readonly Dimension[]): string {
  return dimensions
    .map((dimension) => `${dimension.Name}=${dimension.Value}`)
    .sort()
    .join('|');
}

/**
 * Groups a listing by instance. Duplicates are dropped (moto 5.2 lists a multi-dimension series once per
 * datapoint); series without an `InstanceId` dimension are ignored.
 */
function groupByInstance(listing: readonly { Dimensions?: Dimension[] }[]): Map<string, InstanceSeries> {
  const seen = new Set<string>();
  const byInstance = new Map<string, { rollup: Dimension[] | null; perGpu: Dimension[][] }>();
  for (const metric of listing) {
    const dimensions = (metric.Dimensions ?? []).filter((d) => d.Name !== undefined && d.Value !== undefined);
    const instanceId = dimensions.find((dimension) => dimension.Name === 'InstanceId')?.Value;
    const key = seriesKey(dimensions);
    if (!instanceId || seen.has(key)) continue;
    seen.add(key);
    const entry = byInstance.get(instanceId) ?? { rollup: null, perGpu: [] };
    if (dimensions.length === 1) entry.rollup = dimensions;
    else entry.perGpu.push(dimensions);
    byInstance.set(instanceId, entry);
  }
  for (const entry of byInstance.values()) entry.perGpu.sort((a, b) => seriesKey(a).localeCompare(seriesKey(b)));
  return byInstance;
}

/** The cached listing of one metric's series in one region. */
class GpuSeriesIndex {
  readonly #client: CloudWatchClient;
  readonly #region: string;
  readonly #metric: MetricName;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  #cached: { readonly at: number; readonly listing: Promise<Map<string, InstanceSeries>> } | null = null;

  constructor(client: CloudWatchClient, region: string, metric: MetricName, options: SeriesIndexOptions = {}) {
    this.#client = client;
    this.#region = region;
    this.#metric = metric;
    this.#ttlMs = options.ttlMs ?? 180_000;
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * The series per instance id, from the cache when fresh. Concurrent callers share one listing.
   *
   * @throws AwsError when ListMetrics fails (nothing is cached then)
   */
  async lookup(): Promise<ReadonlyMap<string, InstanceSeries>> {
    const now = this.#clock();
    if (!this.#cached || now - this.#cached.at >= this.#ttlMs) {
      const listing = this.#list();
      this.#cached = { at: now, listing };
      listing.catch(() => {
        if (this.#cached?.listing === listing) this.#cached = null;
      });
    }
    return this.#cached.listing;
  }

  /** Forgets the cached listing. */
  invalidate(): void {
    this.#cached = null;
  }

  async #list(): Promise<Map<string, InstanceSeries>> {
    const listing: { Dimensions?: Dimension[] }[] = [];
    try {
      const input = { Namespace: this.#metric.namespace, MetricName: this.#metric.metric };
      for await (const page of paginateListMetrics({ client: this.#client }, input))
        listing.push(...(page.Metrics ?? []));
    } catch (error) {
      throw toAwsError(error, 'ListMetrics', this.#region);
    }
    return groupByInstance(listing);
  }
}

export type { InstanceSeries, MetricName, SeriesIndexOptions };
export { GpuSeriesIndex, groupByInstance, seriesKey };
