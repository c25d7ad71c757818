/**
 * One pass at a time per target, with no reserved concurrency: before its pass, an invocation takes the target's
 * lease in the state table (the same lease item and conditional put as the fan-out's, `TargetLeases`) and gives it
 * back when the pass ends, done or failed. An invocation that finds the lease held (an EventBridge retry, a tick
 * during a slow pass) runs nothing. A run killed mid-pass (its timeout) leaves a lease that expires when that run can
 * no longer be alive, so the next tick runs.
 */
import { randomUUID } from 'node:crypto';

/** The target a lease is for: an account and a region. */
interface PassLeaseTarget {
  readonly accountId: string;
  readonly region: string;
}

/** The lease calls (`TargetLeases` in the state table). */
interface PassLeases {
  acquire(target: PassLeaseTarget, token: string, now: Date, durationMs: number): Promise<boolean>;
  release(target: PassLeaseTarget, token: string): Promise<boolean>;
}

/** Options of {@link runLeased}. */
interface PassLeaseOptions {
  /** The pass's instant (the lease runs from it). */
  readonly now: Date;
  /** Longest the pass can still run (a Lambda's remaining time): the lease expires then at the latest. */
  readonly durationMs: number;
  /** A failed release: the lease then expires on its own. */
  readonly onReleaseFailed: (error: unknown) => void;
  /** A new lease token. @default a random UUID */
  readonly newToken?: () => string;
}

/** The pass's result, or `ran: false` when another pass holds the target's lease. */
type LeasedRun<T> = { readonly ran: true; readonly result: T } | { readonly ran: false };

/**
 * Runs `pass` while holding the lease of `target`; runs nothing when the lease is held.
 *
 * @throws what `pass` throws (the lease is given back first), or AwsError when the lease cannot be read or taken
 * @example const run = await runLeased(leases, { accountId, region }, { now, durationMs, onReleaseFailed }, () => runPass(options));
 */
async function runLeased<T>(
  leases: PassLeases,
  target: PassLeaseTarget,
  options: PassLeaseOptions,
  pass: () => Promise<T>,
): Promise<LeasedRun<T>> {
  const token = `${options.now.toISOString()}#${(options.newToken ?? randomUUID)()}`;
  if (!(await leases.acquire(target, token, options.now, options.durationMs))) return { ran: false };
  try {
    return { ran: true, result: await pass() };
  } finally {
    await leases.release(target, token).catch(options.onReleaseFailed);
  }
}

export type { LeasedRun, PassLeaseOptions, PassLeases, PassLeaseTarget };
export { runLeased };
