/**
 * Reading the reaper's tags (docs/tags.md). Tag values are owner-controlled text: a value that does not parse is
 * ignored (the default applies) and reported as a {@link TagProblem}; reading never throws, and a bad value never
 * counts as opt-out being removed.
 */
import { parseDuration } from '../config/durations';
import type { Config } from '../config/schema';
import { clip } from './format';
import { policyOf } from './policy';
import type { Action, RuleName, TagProblem } from './types';

/** The reaper's tag names, without the configurable prefix. */
const TagName = {
  optOut: 'opt-out',
  maxRuntime: 'max-runtime',
  expiresAt: 'expires-at',
  snoozeUntil: 'snooze-until',
  action: 'action',
  warned: 'warned',
  approvedUntil: 'approved-until',
} as const;
type TagName = (typeof TagName)[keyof typeof TagName];

/** Rules that warn before acting, so the only ones a `warned` tag may name. */
const WARNING_RULES = [
  'unapproved',
  'expired',
  'max-runtime',
  'never-used',
  'idle',
] as const satisfies readonly RuleName[];
type WarningRule = (typeof WARNING_RULES)[number];

/** What the tags of one instance say, every value parsed or reported. */
interface ReadTags {
  readonly optOut: boolean;
  /** The tag (as the instance carries its key) that opted it out. */
  readonly optOutBy: { readonly key: string; readonly value: string } | null;
  /** From `max-runtime`, already capped at `maxRuntime.ceiling`; `null` when absent or bad. */
  readonly maxRuntimeMs: number | null;
  /** The tag asked for more than `maxRuntime.ceiling`. */
  readonly maxRuntimeCapped: boolean;
  readonly expiresAt: Date | null;
  /** From `snooze-until`, already capped at its first sighting + `snooze.ceiling`; `null` when absent or bad. */
  readonly snoozeUntil: Date | null;
  /** The tag asked for a snooze past now + `snooze.ceiling`. */
  readonly snoozeCapped: boolean;
  /** The `snooze-until` value in force and when the reaper first saw it (now, for a value not seen before). */
  readonly snooze: SnoozeSighting | null;
  readonly action: Action | null;
  readonly owner: string | null;
  /**
   * From `approved-until` (an approver's), capped at its first sighting + `maxRuntime.ceiling`; `null` when absent,
   * bad, or already past (no approval).
   */
  readonly approvedUntil: Date | null;
  /** The tag asked for an approval past its first sighting + `maxRuntime.ceiling`. */
  readonly approvalCapped: boolean;
  /** An `approved-until` value that parsed but is already past: no approval (the reason says when it ended). */
  readonly approvalEndedAt: Date | null;
  /** The `approved-until` value in force and when the reaper first saw it (now, for a value not seen before). */
  readonly approval: SnoozeSighting | null;
  /** The reaper's own `warned` tag: which rule warned, and when it said it would act. */
  readonly warned: { readonly rule: WarningRule; readonly actAt: Date } | null;
  readonly problems: readonly TagProblem[];
  /** What the reason should add about how the tags were read (colliding keys). */
  readonly notes: readonly string[];
}

/** Longer values cannot be a duration, an instant or an action; refusing them early bounds the parsing work. */
const MAX_PARSED = 64;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const ACTIONS: readonly Action[] = ['stop', 'terminate', 'notify'];

/**
 * Parses an ISO-8601 instant with a date, a time and a zone (`2025-06-01T18:00:00Z`, `…+02:00`).
 *
 * @returns the instant, or `undefined` for anything else (no zone, a date only, February 30th, …)
 */
function parseInstant(text: string): Date | undefined {
  const match = INSTANT.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Date.parse rolls 2025-02-30 over to March 2nd; a calendar date that does not exist is not an instant.
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() + 1 !== month || calendar.getUTCDate() !== day) return undefined;
  const ms = Date.parse(text.trim());
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

/**
 * The `warned` tag value the reaper writes: `<rule>@<ISO instant of the planned action>`.
 *
 * @example formatWarnedTag('idle', new Date('2025-01-01T12:30:00Z')) // 'idle@2025-01-01T12:30:00.000Z'
 */
function formatWarnedTag(rule: RuleName, actAt: Date): string {
  return `${rule}@${actAt.toISOString()}`;
}

function isWarningRule(text: string): text is WarningRule {
  return (WARNING_RULES as readonly string[]).includes(text);
}

/** Why a tag value was refused (a class, so it cannot be mistaken for a parsed string value). */
class Refusal {
  constructor(readonly message: string) {}
}

/** A key as the reaper matches it: case and surrounding whitespace ignored, as IAM condition keys ignore case. */
const keyOf = (key: string) => key.trim().toLowerCase();

/** One value of one reaper tag, under the key the instance really carries. */
interface TagValue {
  readonly key: string;
  readonly value: string;
}

/**
 * Groups an instance's tags by reaper tag name, keys matched ignoring case and surrounding whitespace:
 * `Gpu-Reaper:Opt-Out` and `" gpu-reaper:opt-out"` are the opt-out tag too. Several keys may land on one name.
 */
function reaperValues(tags: Readonly<Record<string, string>>, prefix: string): Map<string, TagValue[]> {
  const wanted = keyOf(prefix);
  const byName = new Map<string, TagValue[]>();
  for (const [key, value] of Object.entries(tags)) {
    const normalized = keyOf(key);
    if (!normalized.startsWith(wanted)) continue;
    const name = normalized.slice(wanted.length);
    byName.set(name, [...(byName.get(name) ?? []), { key, value }]);
  }
  return byName;
}

/** Reads one instance's tag values, collecting a problem for each value that is present but does not parse. */
function tagReader(tags: Readonly<Record<string, string>>, prefix: string) {
  const problems: TagProblem[] = [];
  const notes: string[] = [];
  const byName = reaperValues(tags, prefix);
  const problem = (key: string, value: string, message: string) => {
    problems.push({ tag: clip(key), value: clip(value), message });
  };
  const valuesOf = (name: TagName): readonly TagValue[] => byName.get(name) ?? [];
  /**
   * Parses every present value of a tag; `undefined` when none parses. Colliding keys with different readings: the
   * one `protects` prefers wins (the reading that keeps the instance safer), and the reason says so.
   */
  const read = <T>(
    name: TagName,
    parse: (text: string) => T | Refusal,
    protects: (a: T, b: T) => boolean = () => false,
  ): { value: T; text: string } | undefined => {
    const parsed: { value: T; text: string; key: string }[] = [];
    for (const { key, value: text } of valuesOf(name)) {
      const value = text.length > MAX_PARSED ? new Refusal(`too long (${text.length} characters)`) : parse(text);
      if (value instanceof Refusal) problem(key, text, value.message);
      else parsed.push({ value, text, key });
    }
    const chosen = parsed.reduce<(typeof parsed)[number] | undefined>(
      (best, next) => (best === undefined || protects(next.value, best.value) ? next : best),
      undefined,
    );
    if (chosen && new Set(parsed.map(({ text }) => text.trim())).size > 1) {
      const keys = parsed.map(({ key, text }) => `${clip(key)}=${JSON.stringify(clip(text))}`).join(', ');
      notes.push(`tags ${keys} collide: ${clip(chosen.key)} applies, the reading that protects the instance more`);
    }
    return chosen && { value: chosen.value, text: chosen.text.trim() };
  };
  return { problems, notes, valuesOf, read };
}

function durationValue(text: string): number | Refusal {
  const ms = parseDuration(text);
  if (ms === undefined) return new Refusal('not a duration (use e.g. 90m, 36h, 3d)');
  return ms > 0 ? ms : new Refusal('must be longer than 0');
}

function instantValue(text: string): Date | Refusal {
  return parseInstant(text) ?? new Refusal('not an ISO-8601 instant with a zone (e.g. 2025-06-01T18:00:00Z)');
}

function actionValue(text: string): Action | Refusal {
  const wanted = text.trim().toLowerCase();
  return ACTIONS.find((candidate) => candidate === wanted) ?? new Refusal(`must be one of ${ACTIONS.join(', ')}`);
}

function warnedValue(text: string): NonNullable<ReadTags['warned']> | Refusal {
  const at = text.indexOf('@');
  const rule = text.slice(0, Math.max(at, 0)).trim();
  const actAt = at > 0 ? parseInstant(text.slice(at + 1)) : undefined;
  if (isWarningRule(rule) && actAt) return { rule, actAt };
  return new Refusal(`must read <rule>@<ISO instant>, rule one of ${WARNING_RULES.join(', ')}`);
}

/** The value of exactly `key` as an instant (problems collected), or `undefined` when absent or bad. */
function exactInstant(
  tags: Readonly<Record<string, string>>,
  key: string,
  problems: TagProblem[],
): { value: Date; text: string } | undefined {
  const text = tags[key];
  if (text === undefined) return undefined;
  const value = text.length > MAX_PARSED ? new Refusal(`too long (${text.length} characters)`) : instantValue(text);
  if (value instanceof Refusal) {
    problems.push({ tag: clip(key), value: clip(text), message: value.message });
    return undefined;
  }
  return { value, text: text.trim() };
}

/** When the reaper first saw the current `snooze-until` value (kept in the state table), so a snooze cannot renew itself. */
interface SnoozeSighting {
  /** The tag's value as first seen (trimmed). */
  readonly value: string;
  readonly firstSeenAt: Date;
}

/** How much each action leaves running: the more, the more an owner's choice protects the instance. */
const GENTLENESS: Readonly<Record<Action, number>> = { notify: 2, stop: 1, terminate: 0 };

function ownerChoice(choices: readonly Action[]) {
  return (text: string): Action | Refusal => {
    const action = actionValue(text);
    if (action instanceof Refusal || choices.includes(action)) return action;
    return new Refusal(`${action} is not allowed here (actions.ownerChoices: ${choices.join(', ') || 'none'})`);
  };
}

/**
 * Reads the reaper's tags of one instance. Keys match ignoring case and surrounding whitespace; when two keys
 * collide, the reading that protects the instance more wins (opt-out, the longer max-runtime, the later expiry or
 * snooze, the gentler action) and a note says so.
 *
 * @param tags the instance's tags, as EC2 returns them
 * @param now the evaluation clock
 * @param sighting when the current snooze value was first seen; the snooze is capped at that moment +
 *   `snooze.ceiling` (without one, or for a new value, at now + `snooze.ceiling`)
 * @param approvalSighting when the current `approved-until` value was first seen; the approval is capped at that
 *   moment + `maxRuntime.ceiling`
 * @example readTags({ 'gpu-reaper:max-runtime': '36h' }, defaultConfig(), now).maxRuntimeMs // 129_600_000
 */
function readTags(
  tags: Readonly<Record<string, string>>,
  config: Config,
  now: Date,
  sighting: SnoozeSighting | null = null,
  approvalSighting: SnoozeSighting | null = null,
): ReadTags {
  const reader = tagReader(tags, config.tagPrefix);
  // Opt-out is read from the raw value: any value but `false`, however long or odd, keeps the instance safe.
  const optOutValues = reader.valuesOf(TagName.optOut);
  const optOutBy = optOutValues.find(({ value }) => value.trim().toLowerCase() !== 'false') ?? null;
  const optOut = optOutBy !== null;
  if (optOut && optOutValues.length > 1) {
    const keys = optOutValues.map(({ key, value }) => `${clip(key)}=${JSON.stringify(clip(value))}`).join(', ');
    reader.notes.push(`tags ${keys} collide: opted out, the reading that protects the instance more`);
  }

  const later = (a: Date, b: Date) => a > b;
  const askedRuntime = reader.read(TagName.maxRuntime, durationValue, (a, b) => a > b)?.value ?? null;
  const { maxRuntimeCeilingMs: ceiling, snoozeCeilingMs } = policyOf(config);
  const maxRuntimeCapped = askedRuntime !== null && askedRuntime > ceiling;

  const snooze = reader.read(TagName.snoozeUntil, instantValue, later);
  const askedSnooze = snooze?.value ?? null;
  // A value seen before keeps its first sighting: re-reading a far-future value does not renew the ceiling.
  const since =
    sighting !== null && snooze !== undefined && sighting.value === snooze.text ? sighting.firstSeenAt : now;
  const snoozeLimit = new Date(since.getTime() + snoozeCeilingMs);
  const snoozeCapped = askedSnooze !== null && askedSnooze > snoozeLimit;

  // An approval is capped like a snooze, at maxRuntime.ceiling from its first sighting; a past one is none.
  // Only the exact key counts (no other case, no spaces): it is the key the approvers' policy and the SCP guard, so
  // an owner cannot approve their own run under a look-alike key.
  const approved = exactInstant(tags, `${config.tagPrefix}${TagName.approvedUntil}`, reader.problems);
  const approvalSince =
    approvalSighting !== null && approved !== undefined && approvalSighting.value === approved.text
      ? approvalSighting.firstSeenAt
      : now;
  const approvalLimit = new Date(approvalSince.getTime() + ceiling);
  const approvalCapped = approved !== undefined && approved.value > approvalLimit;
  const approvedAt = approved === undefined ? null : approvalCapped ? approvalLimit : approved.value;
  const approvalLive = approvedAt !== null && approvedAt > now;

  const owner = ownerOf(tags, config.ownerTag);
  const expiresAt = reader.read(TagName.expiresAt, instantValue, later)?.value ?? null;
  const action = reader.read(
    TagName.action,
    ownerChoice(config.actions.ownerChoices),
    (a, b) => GENTLENESS[a] > GENTLENESS[b],
  );
  return {
    optOut,
    optOutBy,
    maxRuntimeMs: askedRuntime === null ? null : Math.min(askedRuntime, ceiling),
    maxRuntimeCapped,
    expiresAt,
    snoozeUntil: snoozeCapped ? snoozeLimit : askedSnooze,
    snoozeCapped,
    snooze: snooze === undefined ? null : { value: snooze.text, firstSeenAt: since },
    action: action?.value ?? null,
    approvedUntil: approvalLive ? approvedAt : null,
    approvalCapped: approvalLive && approvalCapped,
    approvalEndedAt: approvedAt !== null && !approvalLive ? approvedAt : null,
    approval: approved === undefined || !approvalLive ? null : { value: approved.text, firstSeenAt: approvalSince },
    owner,
    warned: reader.read(TagName.warned, warnedValue)?.value ?? null,
    problems: reader.problems,
    notes: reader.notes,
  };
}

/** The owner tag's value: its exact key first, else the same key in another case or with surrounding spaces. */
function ownerOf(tags: Readonly<Record<string, string>>, ownerTag: string): string | null {
  const exact = tags[ownerTag]?.trim();
  if (exact) return exact;
  const wanted = keyOf(ownerTag);
  const found = Object.entries(tags).find(([key, value]) => keyOf(key) === wanted && value.trim());
  return found ? found[1].trim() : null;
}

export type { ReadTags, SnoozeSighting, WarningRule };
export { formatWarnedTag, parseInstant, readTags, TagName, WARNING_RULES };
