/**
 * EC2's host metrics of an instance (`AWS/EC2`, dimension `InstanceId`): `CPUUtilization` Maximum and `NetworkIn` +
 * `NetworkOut` Sum, free for every instance, no agent needed. Read per minute: with basic monitoring EC2 answers one
 * datapoint per 5 minutes, with detailed one per minute, and the engine tells which from the datapoints. The three
 * series ride in the same GetMetricData calls as the GPU proofs (each query carries its own statistic).
 */
import type { HostPoint, HostSamples } from '../../engine/types';
import type { Sample, SeriesGroup, SeriesRef } from './gpu-metric-batches';

/** The host series of an instance, in the order {@link HostCollector.add} reads their positions. */
function hostSeries(instanceId: string): SeriesRef[] {
  const dimensions = [{ Name: 'InstanceId', Value: instanceId }];
  return [
    { source: { namespace: 'AWS/EC2', metric: 'CPUUtilization' }, dimensions, stat: 'Maximum' },
    { source: { namespace: 'AWS/EC2', metric: 'NetworkIn' }, dimensions, stat: 'Sum' },
    { source: { namespace: 'AWS/EC2', metric: 'NetworkOut' }, dimensions, stat: 'Sum' },
  ];
}

/** Group keys of host reads: never an instance id, so they share a batch with the GPU groups. */
const HOST_KEY = 'host:';

/** The read groups of the host metrics of these instances, each from its own start. */
function hostGroups(starts: ReadonlyMap<string, Date>): SeriesGroup[] {
  return [...starts].map(([instanceId, start]) => ({
    instanceId: `${HOST_KEY}${instanceId}`,
    series: hostSeries(instanceId),
    start,
  }));
}

/** One period as it is collected: CPU maximum and the bytes in and out. */
interface Period {
  cpuMax: number | null;
  inBytes: number | null;
  outBytes: number | null;
}

/** Collects host samples per instance as their calls answer, then gives each instance's {@link HostSamples}. */
class HostCollector {
  readonly #periods = new Map<string, Map<number, Period>>();
  readonly #errors = new Map<string, string>();
  readonly #starts: ReadonlyMap<string, Date>;

  constructor(starts: ReadonlyMap<string, Date>) {
    this.#starts = starts;
  }

  /** Whether a group key is a host read's; then the instance id it belongs to. */
  static instanceOf(key: string): string | null {
    return key.startsWith(HOST_KEY) ? key.slice(HOST_KEY.length) : null;
  }

  add(instanceId: string, position: number, sample: Sample): void {
    if (!Number.isFinite(sample.value) || sample.value < 0) return;
    const start = this.#starts.get(instanceId);
    if (start === undefined || sample.at < start.getTime()) return;
    const periods = this.#periods.get(instanceId) ?? new Map<number, Period>();
    this.#periods.set(instanceId, periods);
    const period = periods.get(sample.at) ?? { cpuMax: null, inBytes: null, outBytes: null };
    periods.set(sample.at, period);
    if (position === 0) period.cpuMax = Math.max(period.cpuMax ?? 0, Math.min(sample.value, 100));
    else if (position === 1) period.inBytes = (period.inBytes ?? 0) + sample.value;
    else period.outBytes = (period.outBytes ?? 0) + sample.value;
  }

  fail(instanceId: string, error: string): void {
    if (!this.#errors.has(instanceId)) this.#errors.set(instanceId, error);
  }

  /** The host metrics of an instance that was asked for; `undefined` when it was not. */
  samplesOf(instanceId: string): HostSamples | undefined {
    const from = this.#starts.get(instanceId);
    if (from === undefined) return undefined;
    const error = this.#errors.get(instanceId);
    if (error !== undefined) return { status: 'error', points: [], from, error };
    const periods = this.#periods.get(instanceId);
    if (periods === undefined || periods.size === 0) return { status: 'missing', points: [], from };
    const points: HostPoint[] = [...periods.entries()]
      .sort(([a], [b]) => a - b)
      .map(([at, period]) => ({
        at,
        cpuMax: period.cpuMax,
        // Either direction alone is a lower bound of the traffic: it can prove busy, never quiet on its own.
        networkBytes:
          period.inBytes === null && period.outBytes === null ? null : (period.inBytes ?? 0) + (period.outBytes ?? 0),
      }));
    return { status: 'ok', points, from };
  }
}

export { HostCollector, hostGroups, hostSeries };
