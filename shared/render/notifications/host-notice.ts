/**
 * Host activity in a notification: the "Host:" evidence line (what EC2's CPU and network metrics showed over the
 * window the rule judged), and the words of the `gpu-idle-host-busy` notice, which asks the owner whether a CPU job
 * runs on a GPU instance. The numbers are the engine's own {@link describeHost}, so the reason and the evidence
 * never round them two ways.
 */
import { formatDuration } from '../../config/durations';
import type { ReaperEvent } from '../../core/events';
import { describeHost } from '../../engine/host-activity';
import type { Evidence, HostEvidenceOut } from '../../engine/types';
import { formatHourlyUsd, formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';
import { formatUtc } from '../text/utc-time';

const STATES = new Set(['busy', 'quiet', 'unknown']);

const count = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const numberOrNull = (value: unknown) => value === null || (typeof value === 'number' && Number.isFinite(value));

/** The event's host evidence when it has the engine's shape, else `null` (events are read back from the audit too). */
function hostOf(evidence: Evidence): HostEvidenceOut | null {
  const host = evidence.host as Partial<HostEvidenceOut> | undefined;
  if (typeof host !== 'object' || host === null || !STATES.has(host.state as string)) return null;
  const shaped =
    count(host.periods) &&
    count(host.reportedPeriods) &&
    count(host.busyPeriods) &&
    numberOrNull(host.cpuMax) &&
    numberOrNull(host.networkMiBPerMinuteMax) &&
    numberOrNull(host.period);
  return shaped ? (host as HostEvidenceOut) : null;
}

/** Why the host is unknown, from the evidence: its own words, else what the periods say. */
function unknownBecause(host: HostEvidenceOut): string {
  if (typeof host.unknownBecause === 'string' && host.unknownBecause.length > 0) {
    return cleanText(host.unknownBecause, 200);
  }
  return host.periods > 0 ? `only ${host.reportedPeriods} of ${host.periods} host periods have data` : 'no host data';
}

/** Where the host numbers come from: EC2's namespace, over the judged window. */
function source(host: HostEvidenceOut): string {
  const from = Date.parse(host.from);
  const to = Date.parse(host.to);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return 'AWS/EC2';
  return `AWS/EC2, ${formatUtc(host.from)} to ${formatUtc(host.to)}`;
}

/**
 * The "Host:" line of the evidence, or `null` when the decision carries no host evidence (host activity off, or a
 * rule that never reads it).
 *
 * @example hostLine(evidence) // 'Host: quiet - CPU max 1%, network up to 0.01 MiB/min; busy in 0 of 5 5-minute periods (AWS/EC2, …)'
 */
function hostLine(evidence: Evidence): string | null {
  const host = hostOf(evidence);
  if (host === null) return null;
  if (host.state === 'unknown') return `Host: unknown (${unknownBecause(host)}): the GPUs were judged alone`;
  return `Host: ${host.state} - ${describeHost(host)} (${source(host)})`;
}

/** Whether the host evidence says the host was working over the judged window. */
function hostBusy(evidence: Evidence): boolean {
  return hostOf(evidence)?.state === 'busy';
}

/** Whether the host evidence says the host was quiet too. */
function hostQuiet(evidence: Evidence): boolean {
  return hostOf(evidence)?.state === 'quiet';
}

/** How long the GPUs have been unused, in words: the evidence's idle minutes, else its window. */
function unusedFor(evidence: Evidence): string | null {
  const minutes = typeof evidence.idleMinutes === 'number' ? evidence.idleMinutes : evidence.window?.minutes;
  return typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0
    ? formatDuration(minutes * 60_000)
    : null;
}

/**
 * Why `gpu-idle-host-busy` holds, as the end of a sentence ("… because <this>").
 *
 * @example hostBusyWhy(evidence) // 'its GPUs have been unused for 2h while its host works'
 */
function hostBusyWhy(evidence: Evidence): string {
  const unused = unusedFor(evidence);
  return `its GPUs have been unused${unused ? ` for ${unused}` : ''} while its host works`;
}

/** The opening of the `gpu-idle-host-busy` notice: the question, the host's numbers, and what does not happen. */
function hostBusyHeadline(event: ReaperEvent, it: string): string {
  const host = hostOf(event.evidence);
  const numbers = host && host.state === 'busy' ? ` (${describeHost(host)})` : '';
  const why = hostBusyWhy(event.evidence);
  return (
    `Is ${it} running a CPU job? ${why.charAt(0).toUpperCase()}${why.slice(1)}${numbers}. ` +
    'Nothing is stopped for this; its max runtime and expiry still apply.'
  );
}

/** What the unused GPUs cost so far, for "Cost so far" of the `gpu-idle-host-busy` notice. */
function hostBusyCost(event: ReaperEvent): string {
  const unused = unusedFor(event.evidence);
  const usd = event.evidence.idleUsd;
  const paid = unused ? `GPUs unused for ${unused}` : 'GPUs unused';
  if (typeof usd !== 'number' || !Number.isFinite(usd) || event.hourlyUsd === null) {
    return `${paid} (price unknown, so what they cost unused is too).`;
  }
  return `${paid}: about ${formatUsd(usd)} so far at ${formatHourlyUsd(event.hourlyUsd)}, paid for GPUs that did no work.`;
}

/** What the owner can do about a CPU job on a GPU instance: a CPU type, nothing, or a longer runtime. */
function hostBusyAdvice(): string[] {
  return [
    'If this is CPU work (a download, preprocessing, a CPU stage), run it on a CPU instance type with the same vCPUs and memory (an m7i or c7i, for example): it costs much less; start the GPU instance for the GPU part.',
    'If the GPUs get work soon, nothing to do: this notice comes once per launch.',
    'Max runtime and expiry still apply: a long job needs a longer max-runtime tag (below).',
  ];
}

export { hostBusy, hostBusyAdvice, hostBusyCost, hostBusyHeadline, hostBusyWhy, hostLine, hostOf, hostQuiet };
