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
} as const;
type TagName = (typeof TagName)[keyof typeof TagName];

/** Rules that warn before acting, so the only ones a `warned` tag may name. */
const WARNING_RULES = ['expired', 'max-runtime', 'never-used', 'idle'] as const satisfies readonly RuleName[];
type WarningRule = (typeof WARNING_RULES)[number];

/** What the tags of one instance say, every value parsed or reported. */
interface ReadTags {
  readonly optOut: boolean;
  /** From `max-runtime`, already capped at `maxRuntime.ceiling`; `null` when absent or bad. */
  readonly maxRuntimeMs: number | null;
  /** The tag asked for more than `maxRuntime.ceiling`. */
  readonly maxRuntimeCapped: boolean;
  readonly expiresAt: Date | null;
  /** From `snooze-until`, already capped at now + `snooze.ceiling`; `null` when absent or bad. */
  readonly snoozeUntil: Date | null;
  /** The tag asked for a snooze past now + `snooze.ceiling`. */
  readonly snoozeCapped: boolean;
  readonly action: Action | null;
  readonly owner: string | null;
  /** The reaper's own `warned` tag: which rule warned, and when it said it would act. */
  readonly warned: { readonly rule: WarningRule; readonly actAt: Date } | null;
  readonly problems: readonly TagProblem[];
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

/** Reads one instance's tag values, collecting a problem for each value that is present but does not parse. */
function tagReader(tags: Readonly<Record<string, string>>, prefix: string) {
  const problems: TagProblem[] = [];
  const key = (name: TagName) => `${prefix}${name}`;
  const problem = (name: TagName, value: string, message: string) => {
    problems.push({ tag: key(name), value: clip(value), message });
  };
  /** Parses a present value; `undefined` when absent, too long or refused by `parse`. */
  const read = <T>(name: TagName, parse: (text: string) => T | Refusal): T | undefined => {
    const text = tags[key(name)];
    if (text === undefined) return undefined;
    const parsed = text.length > MAX_PARSED ? new Refusal(`too long (${text.length} characters)`) : parse(text);
    if (!(parsed instanceof Refusal)) return parsed;
    problem(name, text, parsed.message);
    return undefined;
  };
  return { problems, raw: (name: TagName) => tags[key(name)], read };
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

/**
 * Reads the reaper's tags of one instance.
 *
 * @param tags the instance's tags, as EC2 returns them
 * @param now the evaluation clock (snoozes are capped relative to it)
 * @example readTags({ 'gpu-reaper:max-runtime': '36h' }, defaultConfig(), now).maxRuntimeMs // 129_600_000
 */
function readTags(tags: Readonly<Record<string, string>>, config: Config, now: Date): ReadTags {
  const reader = tagReader(tags, config.tagPrefix);
  // Opt-out is read from the raw value: any value but `false`, however long or odd, keeps the instance safe.
  const optOutText = reader.raw(TagName.optOut);
  const optOut = optOutText !== undefined && optOutText.trim().toLowerCase() !== 'false';

  const askedRuntime = reader.read(TagName.maxRuntime, durationValue) ?? null;
  const { maxRuntimeCeilingMs: ceiling, snoozeCeilingMs } = policyOf(config);
  const maxRuntimeCapped = askedRuntime !== null && askedRuntime > ceiling;

  const askedSnooze = reader.read(TagName.snoozeUntil, instantValue) ?? null;
  const snoozeLimit = new Date(now.getTime() + snoozeCeilingMs);
  const snoozeCapped = askedSnooze !== null && askedSnooze > snoozeLimit;

  const owner = tags[config.ownerTag]?.trim();
  return {
    optOut,
    maxRuntimeMs: askedRuntime === null ? null : Math.min(askedRuntime, ceiling),
    maxRuntimeCapped,
    expiresAt: reader.read(TagName.expiresAt, instantValue) ?? null,
    snoozeUntil: snoozeCapped ? snoozeLimit : askedSnooze,
    snoozeCapped,
    action: reader.read(TagName.action, actionValue) ?? null,
    owner: owner ? owner : null,
    warned: reader.read(TagName.warned, warnedValue) ?? null,
    problems: reader.problems,
  };
}

export type { ReadTags, WarningRule };
export { formatWarnedTag, parseInstant, readTags, TagName, WARNING_RULES };
