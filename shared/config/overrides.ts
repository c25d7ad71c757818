/**
 * Per-account and per-OU overrides (`accounts.overrides`): partial configs deep-merged over the base config. Objects
 * merge key by key; lists and values replace; `metrics` is replaced whole (a list of sources, or its older form).
 * Each override is validated merged over the base, so a threshold is checked with the base's other keys around it
 * and every problem names its full key path (`accounts.overrides.111111111111.idle.threshold`).
 */
import type { z } from 'zod';
import type { ConfigIssue } from '../errors';
import { configIssues, keyPath } from './config-messages';

/** Keys an override may not set: they belong to the hub (where events go, when it runs, which accounts). */
const NOT_OVERRIDABLE = ['accounts', 'auditTable', 'topicArn', 'schedule'] as const;

/** A partial config, as it stands under `accounts.overrides`. */
type ConfigOverride = Readonly<Record<string, unknown>>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `override` deep-merged over `base`: objects merge, everything else (lists included) replaces, `metrics` replaces
 * whole. Neither input is changed.
 *
 * @example mergeOverride({ idle: { threshold: 5, window: '1h' } }, { idle: { threshold: 3 } }) // { idle: { threshold: 3, window: '1h' } }
 */
function mergeOverride(base: Readonly<Record<string, unknown>>, override: ConfigOverride): Record<string, unknown> {
  const merge = (into: Readonly<Record<string, unknown>>, from: ConfigOverride, depth: number) => {
    const out: Record<string, unknown> = { ...into };
    for (const [key, value] of Object.entries(from)) {
      const current = out[key];
      const whole = depth === 0 && key === 'metrics';
      out[key] = !whole && isPlainObject(value) && isPlainObject(current) ? merge(current, value, depth + 1) : value;
    }
    return out;
  };
  return merge(base, override, 0);
}

/** Every key path an override sets (`idle`, `idle.threshold`), as config messages write them. */
function pathsOf(value: unknown, path: PropertyKey[] = [], into = new Set<string>()): Set<string> {
  if (path.length > 0) into.add(keyPath(path));
  if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], into);
  return into;
}

const prefixed = (key: string, path: string) => `accounts.overrides.${key}${path === '' ? '' : `.${path}`}`;

/**
 * The problems of every override in `raw` (the config document), each with its full key path. A problem of the
 * base itself is left to the base's own issues (`baseIssues`) unless the override sets that key too.
 *
 * @param schema the config schema the merged document must pass
 */
function overrideIssues(raw: unknown, schema: z.ZodType, baseIssues: readonly ConfigIssue[]): ConfigIssue[] {
  if (!isPlainObject(raw) || !isPlainObject(raw.accounts) || !isPlainObject(raw.accounts.overrides)) return [];
  const { accounts: _accounts, ...base } = raw;
  const inBase = new Set(baseIssues.map((issue) => issue.path));
  const issues: ConfigIssue[] = [];
  for (const [key, override] of Object.entries(raw.accounts.overrides)) {
    if (!isPlainObject(override)) continue; // the schema already said it must be an object
    const allowed: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(override)) {
      if ((NOT_OVERRIDABLE as readonly string[]).includes(name)) {
        issues.push({
          path: prefixed(key, name),
          message: 'cannot be set per account or OU (set it once, at the top level)',
        });
      } else allowed[name] = value;
    }
    const merged = mergeOverride(base, allowed);
    const result = schema.safeParse(merged);
    if (result.success) continue;
    const set = pathsOf(allowed);
    for (const issue of configIssues(result.error.issues, merged, schema)) {
      if (inBase.has(issue.path) && !set.has(issue.path)) continue;
      issues.push({ ...issue, path: prefixed(key, issue.path) });
    }
  }
  return issues;
}

export type { ConfigOverride };
export { mergeOverride, NOT_OVERRIDABLE, overrideIssues };
