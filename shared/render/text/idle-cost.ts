/**
 * How long an instance sat idle and what it burned, in the words every view uses: the decision table, the
 * notification text and the digest ("idle 2h10m, $2.18 burned").
 */
import { formatDuration } from '../../config/durations';
import type { Evidence } from '../../engine/types';
import { formatUsd } from './money';

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * The idle time and its cost, short: `idle 2h10m, $2.18 burned`, `idle 45m, price unknown`, `busy`, `busy at last
 * reading` (not read this pass), or `idle time unknown`.
 *
 * @example idleSummary({ ...evidence, idleMinutes: 130, idleUsd: 2.18 }) // 'idle 2h10m, $2.18 burned'
 */
function idleSummary(evidence: Pick<Evidence, 'idleMinutes' | 'idleUsd'> & { telemetry?: unknown }): string {
  // Not read this pass: its last reading was busy (the read schedule), which is not "unknown".
  if (evidence.telemetry === 'unread') return 'busy at last reading';
  const minutes = finite(evidence.idleMinutes);
  if (minutes === null) return 'idle time unknown';
  if (minutes === 0) return 'busy';
  const usd = finite(evidence.idleUsd);
  return `idle ${formatDuration(minutes * 60_000)}, ${usd === null ? 'price unknown' : `${formatUsd(usd)} burned`}`;
}

/**
 * The idle time and its cost as a sentence for a notification's "Cost so far".
 *
 * @example idleSentence({ idleMinutes: 130, idleUsd: 2.18 }) // 'Idle for 2h10m: about $2.18 burned while the GPUs did no work.'
 */
function idleSentence(
  evidence: Pick<Evidence, 'idleMinutes' | 'idleUsd' | 'telemetryRead'> & { telemetry?: unknown },
): string {
  if (evidence.telemetryRead === false)
    return "Idle time not read: this event is the owner's answer, not a reading of the GPUs.";
  if (evidence.telemetry === 'unread')
    return 'Not idle: the GPUs were busy at their last reading (not read again this pass).';
  const minutes = finite(evidence.idleMinutes);
  if (minutes === null) return 'Idle time unknown: the GPU telemetry is too sparse to tell.';
  if (minutes === 0) return 'Not idle: the GPU was busy in the latest minute.';
  const usd = finite(evidence.idleUsd);
  const idle = formatDuration(minutes * 60_000);
  return usd === null
    ? `Idle for ${idle} (price unknown, so the cost of that idle time is too).`
    : `Idle for ${idle}: about ${formatUsd(usd)} burned while the GPUs did no work.`;
}

export { idleSentence, idleSummary };
