/**
 * Config problems in the project's own words. zod finds them; this says each one the way every other message of the
 * project does: what is wrong or what is allowed, then the value received (`must be at most 100 (got 100.5)`), a
 * "did you mean" for a misspelled key, and the problems in the order their keys appear in the document.
 */
import type { z } from 'zod';
import type { ConfigIssue } from '../errors';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** Longest value quoted back in a message: a config may hold anything. */
const MAX_QUOTED = 40;

/** Invisible or direction-changing characters JSON leaves as they are: escaped, so a message shows what is there. */
const INVISIBLE = /[\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const escapeInvisible = (text: string) =>
  text.replace(INVISIBLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Renders zod's issue path (`['idle', 'threshold']`) as the key path people type (`idle.threshold`). */
function keyPath(path: Path): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/** The value at `path` in the document, or `undefined` when it is not there. */
function valueAt(raw: unknown, path: Path): unknown {
  let current = raw;
  for (const part of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** A received value, short and on one line: `"yolo"`, `100.5`, `null`, `an object`, `an empty list`. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  if (typeof value === 'string' && value.length > MAX_QUOTED) {
    return `${escapeInvisible(JSON.stringify(value.slice(0, MAX_QUOTED)))}… (${value.length} characters)`;
  }
  const text = escapeInvisible(JSON.stringify(value) ?? String(value));
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

/**
 * The number of edits that turn `a` into `b`: insert, delete, substitute, or swap two neighbours (`idel` → `idle`
 * is one edit, the commonest slip of all).
 */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The allowed key closest to a misspelled one, when it is close enough to be what was meant: the same letters in
 * another case, or at most one edit per three letters (`idel` → `idle`, `tresh` → `threshold` is too far).
 */
function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(key.length / 3)) ? best.key : undefined;
}

/** The zod schema found at `path` inside `schema`, through defaults, optionals, records and arrays. */
function schemaAt(schema: z.core.$ZodType, path: Path): z.core.$ZodType | undefined {
  let current: z.core.$ZodType | undefined = schema;
  const unwrap = () => {
    for (let def = current?._zod.def; def; def = current?._zod.def) {
      if ('innerType' in def) current = def.innerType as z.core.$ZodType;
      // A preprocessed value (`metrics` accepts an older form) is checked by the pipe's output schema.
      else if (def.type === 'pipe' && 'out' in def) current = def.out as z.core.$ZodType;
      else break;
    }
  };
  for (const part of path) {
    unwrap();
    const def = current?._zod.def as { type?: string; shape?: Record<string, z.core.$ZodType> } | undefined;
    if (def?.type === 'object') current = def.shape?.[String(part)];
    else if (def?.type === 'record') current = (def as unknown as { valueType: z.core.$ZodType }).valueType;
    else if (def?.type === 'array') current = (def as unknown as { element: z.core.$ZodType }).element;
    else return undefined;
  }
  unwrap();
  return current;
}

/** The keys an object schema allows at `path`, in schema order; empty when it is not an object. */
function allowedKeys(schema: z.core.$ZodType, path: Path): string[] {
  const def = schemaAt(schema, path)?._zod.def as { type?: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

const ARTICLE: Record<string, string> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  int: 'a whole number',
};

/** `must be at most 100`, `must be below 1`, `must not be empty`, `must list at least 1 value`: a bound in words. */
function bound(issue: { origin: string; inclusive?: boolean }, limit: number | bigint, side: 'max' | 'min'): string {
  const most = side === 'max' ? 'at most' : 'at least';
  if (issue.origin === 'string') {
    return side === 'min' && Number(limit) === 1 ? 'must not be empty' : `must be ${most} ${limit} characters long`;
  }
  if (issue.origin === 'array' || issue.origin === 'set') {
    return `must list ${most} ${limit} value${Number(limit) === 1 ? '' : 's'}`;
  }
  if (side === 'max') return `must be ${issue.inclusive === false ? 'below' : 'at most'} ${limit}`;
  return `must be ${issue.inclusive === false ? 'above' : 'at least'} ${limit}`;
}

/** True when zod wrote the message itself: the schema's own messages (`must …`) are kept. */
function isZodWording(message: string): boolean {
  return !message.startsWith('must ');
}

/** What the value must be, for one issue (the value received is added after). */
function requirement(issue: Issue): string {
  const own = isZodWording(issue.message) ? undefined : issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return own ?? `must be ${ARTICLE[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return own ?? `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_big':
      return own ?? bound(issue, issue.maximum, 'max');
    case 'too_small':
      return own ?? bound(issue, issue.minimum, 'min');
    case 'invalid_format':
      return own ?? `must be ${issue.format === 'email' ? 'an email address' : `in the ${issue.format} format`}`;
    case 'not_multiple_of':
      return own ?? `must be a multiple of ${issue.divisor}`;
    case 'invalid_key': {
      const inner = issue.issues[0];
      return inner ? requirement(inner) : 'is not an allowed key';
    }
    default:
      return own ?? issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  }
}

/** The issues of one unknown key each, with a "did you mean" when a known key is close. */
function unknownKeys(issue: Extract<Issue, { code: 'unrecognized_keys' }>, schema: z.core.$ZodType): ConfigIssue[] {
  const allowed = allowedKeys(schema, issue.path);
  return issue.keys.map((key) => {
    const near = closestKey(key, allowed);
    const hint = near ? `did you mean "${near}"?` : `allowed: ${allowed.join(', ')}`;
    return { path: keyPath([...issue.path, key]), message: `unknown key (${hint})` };
  });
}

/** One issue in the project's words: `must be at most 100 (got 100.5)`. */
function describeIssue(issue: Issue, raw: unknown): ConfigIssue {
  const message = requirement(issue);
  if (issue.code === 'invalid_key') {
    const key = issue.path.at(-1);
    return { path: keyPath(issue.path), message: `${message} (got the key ${shown(String(key))})` };
  }
  const value = valueAt(raw, issue.path);
  // A check that knows the value a near miss was meant to be says so (`regions[0]`: `did you mean "us-east-1"?`).
  const near = issue.code === 'custom' ? issue.params?.didYouMean : undefined;
  const hint = typeof near === 'string' ? `did you mean ${JSON.stringify(near)}?` : undefined;
  const got = [value === undefined ? undefined : `got ${shown(value)}`, hint].filter(Boolean).join('; ');
  return { path: keyPath(issue.path), message: got ? `${message} (${got})` : message };
}

/** Where each key path first appears in the document, depth first: the order people read the file in. */
function documentOrder(raw: unknown): Map<string, number> {
  const order = new Map<string, number>();
  const visit = (value: unknown, path: PropertyKey[]) => {
    order.set(keyPath(path), order.size);
    if (value === null || typeof value !== 'object') return;
    const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
    for (const [key, item] of entries) visit(item, [...path, key]);
  };
  visit(raw, []);
  return order;
}

/** The position of an issue in the document: its key's, else its closest parent's (a key that is absent). */
function positionOf(path: string, order: ReadonlyMap<string, number>): number {
  for (let prefix = path; ; prefix = prefix.replace(/(\.[^.[]*|\[\d+\])$/, '')) {
    const at = order.get(prefix);
    if (at !== undefined) return at;
    if (prefix === '') return -1;
  }
}

/**
 * Turns zod's issues into the project's config issues: each says what is wrong or allowed and the value received,
 * an unknown key gets a "did you mean", and they come in the order their keys appear in the document.
 *
 * @param raw the document that was validated (for the values received and the order)
 * @param schema the schema it was validated against (for the keys an object allows)
 * @example configIssues(issues, { idel: {} }, configSchema) // [{ path: 'idel', message: 'unknown key (did you mean "idle"?)' }]
 */
function configIssues(issues: readonly Issue[], raw: unknown, schema: z.core.$ZodType): ConfigIssue[] {
  const described = issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? unknownKeys(issue, schema) : [describeIssue(issue, raw)],
  );
  const order = documentOrder(raw);
  return described
    .map((issue, index) => ({ issue, index, at: positionOf(issue.path, order) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ issue }) => issue);
}

export { closestKey, configIssues, editDistance, keyPath };
