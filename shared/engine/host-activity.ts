/**
 * Host activity: whether the instance's host is working while its GPUs wait. EC2 publishes `CPUUtilization` and
 * `NetworkIn`/`NetworkOut` for every instance in `AWS/EC2` (5-minute periods with basic monitoring, 1-minute with
 * detailed); a GPU at 0% on a host downloading a dataset or preprocessing on its CPUs is still setting up, not
 * idle. Pure: the adapter reads the periods, this module judges a window of them.
 *
 * Three states, never two, as for the GPUs: `busy` (at least half of the window's periods are host-busy), `quiet`
 * (fewer than half could be, even if every period without a datapoint were busy), `unknown` (no datapoint, a
 * failed read, or too few periods to tell). Unknown leaves the GPU rules to judge alone.
 */
import { percent } from './format';
import type { HostPoint, HostSamples } from './types';

/** `activity.host`: what makes a period host-busy. */
interface HostThresholds {
  readonly cpu: number;
  readonly networkMiBPerMinute: number;
}

/** The evidence of a window's host activity (decisions carry it as `evidence.host`). */
interface HostEvidence {
  readonly state: 'busy' | 'quiet' | 'unknown';
  /** Complete periods the window holds at the publishing period. */
  readonly periods: number;
  /** Of them, the periods with a datapoint. */
  readonly reportedPeriods: number;
  readonly busyPeriods: number;
  /** Highest CPU maximum of the window's periods, percent; `null` without data. */
  readonly cpuMax: number | null;
  /** Highest network rate (in + out) of the window's periods, MiB per minute; `null` without data. */
  readonly networkMiBPerMinuteMax: number | null;
  /** EC2's publishing period as detected from the datapoints, seconds: 300 (basic) or 60 (detailed); `null` unknown. */
  readonly period: number | null;
  /** Why the state is unknown (`no host datapoint`, the read's error, …). */
  readonly unknownBecause?: string;
}

const MINUTE = 60_000;
const BASIC = 5 * MINUTE;
const MiB = 1024 * 1024;

/**
 * EC2's publishing period from the datapoints: 1 minute when two of them are a minute apart (detailed
 * monitoring), else 5 minutes (basic). Never assumed from the instance's settings: the data says what it is.
 */
function publishingPeriodMs(points: readonly HostPoint[]): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < points.length; i++) {
    const gap = points[i]!.at - points[i - 1]!.at;
    if (gap > 0 && gap < smallest) smallest = gap;
  }
  return smallest <= MINUTE ? MINUTE : BASIC;
}

/**
 * Where the periods start, as an offset into the period: the offset most datapoints have. EC2 aligns basic periods
 * to the clock (:00, :05, …), but the data says where they are, so a series published off that grid is still read.
 */
function periodPhaseMs(points: readonly HostPoint[], periodMs: number): number {
  const counts = new Map<number, number>();
  let phase = 0;
  let most = 0;
  for (const point of points) {
    const offset = ((point.at % periodMs) + periodMs) % periodMs;
    const count = (counts.get(offset) ?? 0) + 1;
    counts.set(offset, count);
    if (count > most) [phase, most] = [offset, count];
  }
  return phase;
}

/** The complete periods of `[from, to)` at `periodMs`: their starts, `phaseMs` into the period as the data has them. */
function periodStarts(from: number, to: number, periodMs: number, phaseMs: number): number[] {
  const starts: number[] = [];
  const first = Math.ceil((from - phaseMs) / periodMs) * periodMs + phaseMs;
  for (let at = first; at + periodMs <= to; at += periodMs) starts.push(at);
  return starts;
}

const rateOf = (point: HostPoint, periodMs: number) =>
  point.networkBytes === null ? null : point.networkBytes / MiB / (periodMs / MINUTE);

const maxOf = (values: readonly (number | null)[]) => {
  const known = values.filter((value): value is number => value !== null && Number.isFinite(value));
  return known.length > 0 ? Math.max(...known) : null;
};

/**
 * Judges the host over `[from, to)`.
 *
 * @example classifyHost(samples, from, to, { cpu: 10, networkMiBPerMinute: 5 }).state // 'busy'
 */
function classifyHost(
  samples: HostSamples | undefined,
  from: Date,
  to: Date,
  thresholds: HostThresholds,
): HostEvidence {
  const none = (because: string, period: number | null = null): HostEvidence => ({
    state: 'unknown',
    periods: 0,
    reportedPeriods: 0,
    busyPeriods: 0,
    cpuMax: null,
    networkMiBPerMinuteMax: null,
    period,
    unknownBecause: because,
  });
  if (samples === undefined) return none('not read');
  if (samples.status === 'missing') return none('no host datapoint');
  if (samples.status === 'error') return none(`the host metrics could not be read (${samples.error ?? 'error'})`);
  const points = samples.points.filter((point) => point.cpuMax !== null || point.networkBytes !== null);
  if (points.length === 0) return none('no host datapoint');
  const periodMs = publishingPeriodMs(points);
  const starts = periodStarts(from.getTime(), to.getTime(), periodMs, periodPhaseMs(points, periodMs));
  if (starts.length === 0) return none('the window is shorter than one host period', periodMs / 1000);
  const byStart = new Map(points.map((point) => [point.at, point]));
  const inWindow = starts.flatMap((at) => (byStart.has(at) ? [byStart.get(at)!] : []));
  const busy = inWindow.filter(
    (point) =>
      (point.cpuMax !== null && point.cpuMax >= thresholds.cpu) ||
      (rateOf(point, periodMs) ?? 0) >= thresholds.networkMiBPerMinute,
  ).length;
  const missing = starts.length - inWindow.length;
  const state = busy * 2 >= starts.length ? 'busy' : (busy + missing) * 2 < starts.length ? 'quiet' : 'unknown';
  return {
    state,
    periods: starts.length,
    reportedPeriods: inWindow.length,
    busyPeriods: busy,
    cpuMax: maxOf(inWindow.map((point) => point.cpuMax)),
    networkMiBPerMinuteMax: maxOf(inWindow.map((point) => rateOf(point, periodMs))),
    period: periodMs / 1000,
    ...(state === 'unknown'
      ? { unknownBecause: `only ${inWindow.length} of ${starts.length} host periods have data` }
      : {}),
  };
}

/** A rate as a person reads it: whole above 10, one decimal above 1, two significant digits below (0.02). */
function rate(value: number): string {
  if (value >= 10) return String(Math.round(value));
  if (value >= 1) return String(Number(value.toFixed(1)));
  return value === 0 ? '0' : String(Number(value.toPrecision(2)));
}

/** The host evidence in words: `CPU max 87%, network 42 MiB/min in 11 of 12 periods (5-minute)`. */
function describeHost(host: HostEvidence): string {
  if (host.state === 'unknown') return `host activity unknown (${host.unknownBecause ?? 'no data'})`;
  const cpu = host.cpuMax === null ? 'CPU unknown' : `CPU max ${percent(host.cpuMax)}`;
  const net =
    host.networkMiBPerMinuteMax === null
      ? 'network unknown'
      : `network up to ${rate(host.networkMiBPerMinuteMax)} MiB/min`;
  const period = host.period === 60 ? '1-minute' : '5-minute';
  return `${cpu}, ${net}; busy in ${host.busyPeriods} of ${host.periods} ${period} periods`;
}

export type { HostEvidence, HostThresholds };
export { classifyHost, describeHost, publishingPeriodMs };
