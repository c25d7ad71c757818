/**
 * A reaper event laid out as one SNS message, still without the SDK: the `MessageStructure: 'json'` body (text for
 * people, the event JSON for machines), the routing attributes, and the 256 KB limit kept.
 */
import type { ReaperEvent } from '../../core/events';
import { asciiLine, cleanText, truncate } from '../text/untrusted-text';
import { eventJson } from './event-json';
import { type RenderedNotification, renderNotification } from './notification';

/** SNS accepts 262,144 bytes (message plus attributes and subject); keep headroom for those. */
const MAX_MESSAGE_BYTES = 250_000;
/** When a message is still too big: evidence cut to this many bytes, text to this many characters. */
const SHRUNK_EVIDENCE_BYTES = 2_048;
const SHRUNK_TEXT_CHARS = 16_000;
const SUBJECT_MAX = 100;

/** A rendered notification plus the SNS message body built from it. */
interface SnsMessage extends RenderedNotification {
  /** The JSON text of `{ default, email, sqs, lambda, https }`, at most {@link MAX_MESSAGE_BYTES} bytes. */
  readonly message: string;
}

/**
 * The routing attributes of an event, as plain strings: `event`, `rule`, `instanceId`, `region`, `mode`, `owner`.
 *
 * `rule` is `none` when the event has no rule (SNS rejects empty values, and `none` lets `anything-but` filters
 * work). `owner` is left out when the instance has no owner tag: an invented `unknown` would collide with a real
 * owner of that name; unowned instances match the filter `{"owner": [{"exists": false}]}`. The approvers' copy of
 * an `unapproved` warning adds `audience` = `approvers` and never carries `owner`: it holds the approve links, and an
 * owner's subscription (a filter on `owner`) must never receive it.
 */
function routingAttributes(event: ReaperEvent): Record<string, string> {
  const attributes: Record<string, string> = {
    event: event.event,
    rule: event.rule ?? 'none',
    instanceId: cleanText(event.instanceId, 64),
    region: cleanText(event.region, 32),
    mode: event.mode,
  };
  // Many accounts: a team or an account's admins filter on their account.
  if (event.accountId) attributes.accountId = cleanText(event.accountId, 32);
  // Owner tags are untrusted: control characters are invalid in SNS attribute values, and size counts toward 256 KB.
  if (event.audience === 'approvers') return { ...attributes, audience: 'approvers' };
  const owner = event.owner === null ? '' : cleanText(event.owner, 256);
  if (owner) attributes.owner = owner;
  return attributes;
}

/** The `MessageStructure: 'json'` body: text for `default` and `email`, the event JSON for the rest. */
function envelope(text: string, json: ReaperEvent): string {
  const machine = JSON.stringify(json);
  return JSON.stringify({ default: text, email: text, sqs: machine, lambda: machine, https: machine });
}

/**
 * Renders an event as one SNS message; when the whole is over the limit, evidence is cut to its known keys and
 * the text and reason are shortened (the JSON appears three times in the body, so evidence dominates).
 *
 * @param now the clock for "in 30m" in the text; defaults to the event's time
 */
function snsMessage(event: ReaperEvent, now?: Date): SnsMessage {
  const rendered = renderNotification(event, now);
  const message = envelope(rendered.text, rendered.json);
  if (Buffer.byteLength(message, 'utf8') <= MAX_MESSAGE_BYTES) return { ...rendered, message };
  const json = eventJson({ ...event, reason: truncate(event.reason, 1_000) }, SHRUNK_EVIDENCE_BYTES);
  const text = truncate(rendered.text, SHRUNK_TEXT_CHARS);
  return { subject: rendered.subject, text, json, message: envelope(text, json) };
}

/** An admin notice's subject as SNS accepts it (printable ASCII, ≤ 100 characters), always starting `[gpu-reaper]`. */
function adminSubject(subject: string): string {
  const clean = asciiLine(subject, SUBJECT_MAX);
  return clean.startsWith('[gpu-reaper]') ? clean : asciiLine(`[gpu-reaper] ${clean}`, SUBJECT_MAX);
}

/** An admin notice's body: never empty (SNS rejects that), bounded like event text. */
function adminText(text: string): string {
  return truncate(text, SHRUNK_TEXT_CHARS) || '(no details)';
}

export type { SnsMessage };
export { adminSubject, adminText, MAX_MESSAGE_BYTES, routingAttributes, snsMessage };
