/**
 * Keys and values of the audit/state table (`AuditTableDesign`), shared by the warning store and the audit trail so
 * both spell the keys the same way.
 */
import { AuditTableDesign } from '../../config/audit-table';

const { partitionKey: PK, sortKey: SK } = AuditTableDesign;

/** The item partition of one instance: its events, its warning state and its one-off notice markers. */
function instancePk(instanceId: string): string {
  return `INSTANCE#${instanceId}`;
}

/** Sort key of the warning-state item (one per instance). */
const STATE_SK = 'STATE';

/** Sort key prefix of audit events; `~` sorts after every character an ISO instant or event name uses. */
const EVENT_PREFIX = 'EVENT#';
const RANGE_END = '~';

/** Key of the warning-state item of an instance. */
function stateKey(instanceId: string): Record<string, string> {
  return { [PK]: instancePk(instanceId), [SK]: STATE_SK };
}

/** Key of the item that says when the instance's GPU telemetry must next be read (see `nextTelemetryRead`). */
function readKey(instanceId: string): Record<string, string> {
  return { [PK]: instancePk(instanceId), [SK]: 'READ' };
}

/** Key of the item that remembers when the reaper first saw the instance's `snooze-until` value. */
function snoozeKey(instanceId: string): Record<string, string> {
  return { [PK]: instancePk(instanceId), [SK]: 'SNOOZE' };
}

/** Key of the item that remembers when the reaper first saw the instance's `approved-until` value. */
function approvalKey(instanceId: string): Record<string, string> {
  return { [PK]: instancePk(instanceId), [SK]: 'APPROVAL' };
}

/** Key of a once-only notice marker (`sk = NOTICE#<key>`). */
function noticeKey(instanceId: string, key: string): Record<string, string> {
  return { [PK]: instancePk(instanceId), [SK]: `NOTICE#${key}` };
}

/**
 * The canonical ISO form of an instant (`2026-11-21T13:05:00.000Z`). Keys and conditions compare strings, so every
 * instant written or compared must go through here.
 * @throws RangeError when the value is not a valid instant
 */
function isoInstant(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a valid instant: ${String(value)}`);
  return date.toISOString();
}

/** Epoch seconds of `instant` plus `seconds`: the value of a DynamoDB TTL attribute. */
function ttlAfter(instant: Date, seconds: number): number {
  return Math.floor(instant.getTime() / 1000) + Math.max(0, Math.floor(seconds));
}

/** The UTC day partitions (`DAY#YYYY-MM-DD`) that cover `[from, to]`, in order. */
function dayPartitions(from: Date, to: Date): string[] {
  const days: string[] = [];
  const cursor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  while (cursor.getTime() <= to.getTime()) {
    days.push(dayPartition(cursor));
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return days;
}

/** The `by-time` index partition of an instant: `DAY#YYYY-MM-DD` (UTC). */
function dayPartition(instant: Date): string {
  return `DAY#${instant.toISOString().slice(0, 10)}`;
}

/**
 * A value DynamoDB accepts: `undefined` dropped (also inside maps and lists), `Date` as ISO, non-finite numbers as
 * `null`. Done here rather than relying on the injected client's marshall options, which the caller owns.
 */
function storable(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.filter((entry) => entry !== undefined).map(storable);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== undefined) out[key] = storable(entry);
    }
    return out;
  }
  return value;
}

export {
  approvalKey,
  dayPartition,
  dayPartitions,
  EVENT_PREFIX,
  instancePk,
  isoInstant,
  noticeKey,
  RANGE_END,
  readKey,
  STATE_SK,
  snoozeKey,
  stateKey,
  storable,
  ttlAfter,
};
