/**
 * The event as JSON for machines (the `sqs`, `lambda` and `https` variants of a notification), bounded in size:
 * SNS refuses messages over 256 KB, and the JSON goes into one message three times.
 */

import type { ReaperEvent } from '../../core/events';
import type { Evidence } from '../../engine/types';
import { truncate } from '../text/untrusted-text';

/** Evidence bigger than this (serialized, bytes) is cut down to its known, small keys. */
const MAX_EVIDENCE_BYTES = 32_768;
/** Longest reason and owner kept in the JSON; both may carry owner-written tag values. */
const MAX_REASON = 8_192;
const MAX_OWNER = 256;

/** The evidence keys `Evidence` declares: small, fixed-size values that machines rely on. */
const KNOWN_EVIDENCE_KEYS = [
  'launchTime',
  'runningForMinutes',
  'gpuCount',
  'gpuSource',
  'telemetry',
  'telemetrySource',
  'window',
  'datapoints',
  'coverage',
  'maxUtilization',
  'threshold',
  'minCoverage',
  'maxRuntime',
  'deadline',
  'expiresAt',
  'snoozeUntil',
  'idleMinutes',
  'idleUsd',
  'telemetryRead',
  'host',
] as const;

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * The evidence, or when it serializes to more than `maxBytes`, only its declared keys (strings cut to 256 chars)
 * plus `truncated: true` and the original size, so a reader knows something was left out.
 */
function boundEvidence(evidence: Evidence, maxBytes = MAX_EVIDENCE_BYTES): Evidence {
  const originalBytes = byteLength(evidence);
  if (originalBytes <= maxBytes) return evidence;
  const kept: Record<string, unknown> = {};
  for (const key of KNOWN_EVIDENCE_KEYS) {
    const value = evidence[key];
    if (value === undefined) continue;
    kept[key] = typeof value === 'string' ? truncate(value, 256) : value;
  }
  // A malformed `window` could itself be huge; drop anything that still does not fit.
  if (byteLength(kept) > maxBytes) delete kept.window;
  return { ...(kept as unknown as Evidence), truncated: true, originalBytes };
}

/**
 * Every field of the event, as a fresh plain object ready for `JSON.stringify`, with the evidence bounded and the
 * free-text fields cut to sane lengths.
 *
 * @param maxEvidenceBytes evidence larger than this is reduced (see {@link boundEvidence})
 */
function eventJson(event: ReaperEvent, maxEvidenceBytes = MAX_EVIDENCE_BYTES): ReaperEvent {
  // Spread first so a field added to ReaperEvent later reaches subscribers without touching this file.
  return {
    ...event,
    reason: truncate(event.reason, MAX_REASON),
    evidence: boundEvidence(event.evidence, maxEvidenceBytes),
    owner: event.owner === null ? null : truncate(event.owner, MAX_OWNER),
  };
}

export { boundEvidence, eventJson };
