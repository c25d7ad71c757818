/**
 * Which targets a tick passes: a target whose last pass went through and found no GPU instance in scope is quiet,
 * and is passed again only once `accounts.quietTargetEvery` has gone by since that pass's tick, or at once when a
 * launch woke it after that pass started. A target never passed, or whose last pass failed, is always due. Pure:
 * the states come in as values, the clock as a value.
 */

/** What the last pass of one target left in the state table. */
interface TargetState {
  readonly accountId: string;
  readonly region: string;
  /** The root and OUs the account sat in at that pass, outer to inner (a wake-up enqueues with them). */
  readonly ouPath: readonly string[];
  /** The tick (ISO instant) that enqueued that pass: the quiet interval counts from it. */
  readonly tick: string;
  /** When that pass started (ISO instant): a wake-up after it calls for another pass. */
  readonly passedAt: string;
  readonly status: 'ok' | 'error';
  /** GPU instances in scope that pass decided on. */
  readonly gpuInstances: number;
  /** The last launch event that woke the target (ISO instant). @default never woken */
  readonly wokenAt?: string;
}

/** The target a state belongs to. */
interface StateTarget {
  readonly accountId: string;
  readonly region: string;
}

/**
 * How much earlier than `quietTargetEvery` a tick may come and still count: schedule invocations drift by
 * seconds, and a tick a few seconds early would otherwise push a quiet target to the tick after (5 minutes late).
 */
const TICK_JITTER_MS = 30_000;

/** The key of a target in a map of states: `<account>#<region>`. */
function targetKey(target: StateTarget): string {
  return `${target.accountId}#${target.region}`;
}

/** True when the last pass went through and found no GPU instance in scope. */
function isQuiet(state: TargetState): boolean {
  return state.status === 'ok' && state.gpuInstances === 0;
}

/** True when a launch woke the target after its last pass started. */
function isWoken(state: TargetState): boolean {
  return state.wokenAt !== undefined && Date.parse(state.wokenAt) > Date.parse(state.passedAt);
}

/**
 * Whether a tick at `now` passes the target of `state`.
 *
 * @example isDue(undefined, now, 3_600_000) // true: never passed
 */
function isDue(state: TargetState | undefined, now: Date, quietEveryMs: number): boolean {
  if (state === undefined || !isQuiet(state) || isWoken(state)) return true;
  const since = now.getTime() - Date.parse(state.tick);
  // A tick that is not an instant (a hand-edited item) must not keep a target quiet forever.
  return !(since < quietEveryMs - TICK_JITTER_MS);
}

/**
 * Splits a tick's targets into those it passes and the quiet ones it leaves out, both in the order given.
 *
 * @example const { due, quiet } = dueTargets(targets, states, new Date(), 3_600_000);
 */
function dueTargets<T extends StateTarget>(
  targets: readonly T[],
  states: ReadonlyMap<string, TargetState>,
  now: Date,
  quietEveryMs: number,
): { due: T[]; quiet: T[] } {
  const due: T[] = [];
  const quiet: T[] = [];
  for (const target of targets) (isDue(states.get(targetKey(target)), now, quietEveryMs) ? due : quiet).push(target);
  return { due, quiet };
}

/** What a launch event does to its target: wake it, or nothing (it is passed every tick, or it is no target). */
type WakeDecision = 'wake' | 'active' | 'unknown';

/**
 * What a launch in the target of `state` calls for: `wake` for a quiet target or one whose last pass failed,
 * `active` for one that is passed every tick anyway, `unknown` when the target was never passed (no state: it is
 * no target, or the next tick passes it anyway).
 */
function wakeDecision(state: TargetState | undefined): WakeDecision {
  if (state === undefined) return 'unknown';
  return isQuiet(state) || state.status === 'error' ? 'wake' : 'active';
}

export type { StateTarget, TargetState, WakeDecision };
export { dueTargets, isDue, isQuiet, isWoken, TICK_JITTER_MS, targetKey, wakeDecision };
