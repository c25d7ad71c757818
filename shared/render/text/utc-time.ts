/**
 * Instants as people read them in a notification: always UTC and always labelled so, since owners sit in every
 * time zone and a bare `14:05` would mislead half of them.
 */
import { formatDuration } from '../../config/durations';
import { cleanText } from './untrusted-text';

function parse(iso: string): Date | null {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * `2024-05-01 14:05 UTC`; text that is not an instant comes back cleaned, never as `Invalid Date`.
 *
 * @param iso an ISO-8601 instant
 */
function formatUtc(iso: string): string {
  const at = parse(iso);
  if (!at) return cleanText(iso, 64);
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `14:05 UTC` when `iso` falls on the same UTC day as `now`, else `05-02 14:05 UTC`: short enough for a subject. */
function formatShortUtc(iso: string, now: Date): string {
  const at = parse(iso);
  if (!at) return cleanText(iso, 32);
  const text = at.toISOString();
  const sameDay = text.slice(0, 10) === now.toISOString().slice(0, 10);
  return `${sameDay ? '' : `${text.slice(5, 10)} `}${text.slice(11, 16)} UTC`;
}

/** `in 30m`, `2h ago` or `now`, relative to `now` (whole minutes). */
function relativeTo(iso: string, now: Date): string {
  const at = parse(iso);
  if (!at) return 'unknown';
  const ms = at.getTime() - now.getTime();
  if (Math.abs(ms) < 60_000) return 'now';
  return ms > 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`;
}

/** An ISO instant without milliseconds (`2024-05-02T14:05:00Z`), `ms` after `from`: what owners type into tags. */
function isoAfter(from: string, ms: number): string {
  const base = parse(from) ?? new Date(0);
  return `${new Date(base.getTime() + ms).toISOString().slice(0, 19)}Z`;
}

export { formatShortUtc, formatUtc, isoAfter, relativeTo };
