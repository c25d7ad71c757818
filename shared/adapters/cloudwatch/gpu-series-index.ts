/**
 * Which GPU utilization series exist, per instance, for every configured source: one ListMetrics listing per
 * source (paginated), cached for a few minutes so that consecutive reads, and the regions of one pass, do not list
 * again. A series belongs to an instance by its `InstanceId` dimension, else by its `host` dimension (an agent
 * without `append_dimensions` publishes only the host name: the instance's private DNS name, short or full). A
 * series with a GPU dimension is that GPU's; one without is a rollup over the instance's GPUs.
 */
import { type CloudWatchClient, type Dimension, paginateListMetrics } from '@aws-sdk/client-cloudwatch';
import { toAwsError } from '../aws/aws-errors';

/** The metric to look for: one source of GPU utilization. */
interface MetricName {
  readonly namespace: string;
  readonly metric: string;
}

/** One listed series. */
interface ListedSeries {
  readonly source: MetricName;
  readonly dimensions: readonly Dimension[];
  /** The GPU it measures (`index`, `GPUNumber`, … value); `null` for a rollup over the instance's GPUs. */
  readonly gpu: string | null;
}

/** The series of one instance, by source: its rollup (when published) and its per-GPU series. */
interface InstanceSeries {
  /** Per source (`namespace/metric`): the rollup and the per-GPU series, sorted. */
  readonly bySource: ReadonlyMap<string, SourceSeries>;
}

/** The series one source publishes for one instance. */
interface SourceSeries {
  readonly source: MetricName;
  /** The series with no GPU dimension (only `InstanceId`, or instance-level extras such as `InstanceType`). */
  readonly rollup: ListedSeries | null;
  readonly perGpu: readonly ListedSeries[];
}

/** What an instance is known by, to find its series. */
interface InstanceKey {
  readonly instanceId: string;
  /** `ip-10-1-2-3.ec2.internal`; series published by host name only are matched on it (short or full). */
  readonly privateDnsName?: string | null;
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

/** Dimensions that name one GPU: the agent's nvidia_smi `index` (also `uuid`, `pci_bus_id`), gpumon's `GPUNumber`. */
const GPU_DIMENSIONS = ['index', 'GPUNumber', 'uuid', 'pci_bus_id', 'gpu'] as const;
/** Dimensions that name an instance, in the order they are trusted. */
const HOST_DIMENSION = 'host';

/** `name=value` pairs, sorted: the same series whatever order ListMetrics gives the dimensions in. */
function seriesKey(dimensions: readonly Dimension[]): string {
  return dimensions
    .map((dimension) => `${dimension.Name}=${dimension.Value}`)
    .sort()
    .join('|');
}

const sourceKey = (source: MetricName) => `${source.namespace}/${source.metric}`;
const dimension = (dimensions: readonly Dimension[], name: string) => dimensions.find((d) => d.Name === name)?.Value;

/** The lookup keys of a host name: the full name and its first label (`ip-10-1-2-3`), lower case. */
function hostKeys(host: string): string[] {
  const full = host.trim().toLowerCase();
  const short = full.split('.')[0] ?? full;
  return full === short ? [full] : [full, short];
}

/** The listing of every source, grouped by what each series names: an instance id, or a host. */
class SeriesListing {
  readonly #byInstanceId = new Map<string, Map<string, { rollup: ListedSeries | null; perGpu: ListedSeries[] }>>();
  readonly #byHost = new Map<string, Map<string, { rollup: ListedSeries | null; perGpu: ListedSeries[] }>>();
  /** Series that name neither an instance id nor a host: nothing can ever match them. */
  readonly anonymous: number;
  /** How many distinct series were listed. */
  readonly total: number;

  constructor(listed: readonly { source: MetricName; dimensions: readonly Dimension[] }[]) {
    const seen = new Set<string>();
    let anonymous = 0;
    for (const { source, dimensions: raw } of listed) {
      const dimensions = raw.filter((d) => d.Name !== undefined && d.Value !== undefined);
      // moto 5.2 lists a multi-dimension series once per datapoint: one series, however often it is listed.
      const key = `${sourceKey(source)}|${seriesKey(dimensions)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const gpuName = GPU_DIMENSIONS.find((name) => dimension(dimensions, name) !== undefined);
      const series: ListedSeries = { source, dimensions, gpu: gpuName ? dimension(dimensions, gpuName)! : null };
      const instanceId = dimension(dimensions, 'InstanceId');
      const host = dimension(dimensions, HOST_DIMENSION);
      if (instanceId) this.#add(this.#byInstanceId, instanceId, series);
      else if (host) this.#add(this.#byHost, host.trim().toLowerCase(), series);
      else anonymous += 1;
    }
    this.anonymous = anonymous;
    this.total = seen.size;
  }

  #add(
    map: Map<string, Map<string, { rollup: ListedSeries | null; perGpu: ListedSeries[] }>>,
    key: string,
    series: ListedSeries,
  ): void {
    const sources = map.get(key) ?? new Map();
    map.set(key, sources);
    const entry = sources.get(sourceKey(series.source)) ?? { rollup: null, perGpu: [] };
    sources.set(sourceKey(series.source), entry);
    if (series.gpu === null) {
      // Two rollups of one source (one with extra instance-level dimensions): keep the plainest.
      if (entry.rollup === null || series.dimensions.length < entry.rollup.dimensions.length) entry.rollup = series;
    } else {
      entry.perGpu.push(series);
      entry.perGpu.sort((a: ListedSeries, b: ListedSeries) =>
        seriesKey(a.dimensions).localeCompare(seriesKey(b.dimensions)),
      );
    }
  }

  /** The series of one instance: by its id, else by its private DNS name (full, then short); `undefined` if none. */
  seriesOf(instance: InstanceKey): InstanceSeries | undefined {
    const byId = this.#byInstanceId.get(instance.instanceId);
    if (byId) return this.#entry(byId);
    for (const key of instance.privateDnsName ? hostKeys(instance.privateDnsName) : []) {
      const byHost = this.#byHost.get(key);
      if (byHost) return this.#entry(byHost);
    }
    return undefined;
  }

  /**
   * Listed series that belong to none of `instances`: those published by a host name no instance has (an agent
   * whose host name is not the private DNS name), plus those naming no instance at all. Series of instances that
   * are not running or out of scope (listed for two weeks after their last datapoint) are not counted.
   */
  unmatched(instances: readonly InstanceKey[]): number {
    const hosts = new Set(
      instances.flatMap((instance) => (instance.privateDnsName ? hostKeys(instance.privateDnsName) : [])),
    );
    let count = this.anonymous;
    for (const [host, sources] of this.#byHost) {
      if (hosts.has(host) || hosts.has(hostKeys(host).at(-1)!)) continue;
      for (const entry of sources.values()) count += entry.perGpu.length + (entry.rollup ? 1 : 0);
    }
    return count;
  }

  /** Every instance id with series (for the backtest, which reads instances that may no longer exist). */
  instanceIds(): string[] {
    return [...this.#byInstanceId.keys()];
  }

  /** Every host with series that carry no instance id. */
  hosts(): string[] {
    return [...this.#byHost.keys()];
  }

  /** The series of a host, for the backtest. */
  seriesOfHost(host: string): InstanceSeries | undefined {
    const byHost = this.#byHost.get(host.toLowerCase());
    return byHost ? this.#entry(byHost) : undefined;
  }

  #entry(sources: Map<string, { rollup: ListedSeries | null; perGpu: ListedSeries[] }>): InstanceSeries {
    const bySource = new Map<string, SourceSeries>();
    for (const [key, entry] of sources) {
      const source = (entry.rollup ?? entry.perGpu[0])!.source;
      bySource.set(key, { source, rollup: entry.rollup, perGpu: entry.perGpu });
    }
    return { bySource };
  }
}

/** The cached listing of every source in one region. */
class GpuSeriesIndex {
  readonly #client: CloudWatchClient;
  readonly #region: string;
  readonly #sources: readonly MetricName[];
  readonly #ttlMs: number;
  readonly #clock: () => number;
  #cached: { readonly at: number; readonly listing: Promise<SeriesListing> } | null = null;

  constructor(
    client: CloudWatchClient,
    region: string,
    sources: readonly MetricName[],
    options: SeriesIndexOptions = {},
  ) {
    this.#client = client;
    this.#region = region;
    this.#sources = sources;
    this.#ttlMs = options.ttlMs ?? 180_000;
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * The listing, from the cache when fresh. Concurrent callers share one listing.
   *
   * @throws AwsError when ListMetrics fails (nothing is cached then)
   */
  async lookup(): Promise<SeriesListing> {
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

  async #list(): Promise<SeriesListing> {
    const listed = await Promise.all(this.#sources.map((source) => listMetric(this.#client, this.#region, source)));
    return new SeriesListing(listed.flat());
  }
}

/** Every listed series of one metric, with its dimensions. */
async function listMetric(
  client: CloudWatchClient,
  region: string,
  source: MetricName,
): Promise<{ source: MetricName; dimensions: readonly Dimension[] }[]> {
  const listed: { source: MetricName; dimensions: readonly Dimension[] }[] = [];
  try {
    const input = { Namespace: source.namespace, MetricName: source.metric };
    for await (const page of paginateListMetrics({ client }, input)) {
      for (const metric of page.Metrics ?? []) listed.push({ source, dimensions: metric.Dimensions ?? [] });
    }
  } catch (error) {
    throw toAwsError(error, 'ListMetrics', region);
  }
  return listed;
}

export type { InstanceKey, InstanceSeries, ListedSeries, MetricName, SeriesIndexOptions, SourceSeries };
export { GPU_DIMENSIONS, GpuSeriesIndex, hostKeys, listMetric, SeriesListing, seriesKey, sourceKey };
