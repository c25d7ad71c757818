/**
 * One schedule tick with quiet targets left out: the last pass of every target is read (one Query), the targets
 * that are due are leased and enqueued, and the quiet ones wait for `accounts.quietTargetEvery` or a launch.
 */
import { type DispatchOptions, type DispatchPorts, type DispatchResult, dispatchTargets } from './dispatch-targets';
import { dueTargets, type TargetState } from './quiet-targets';

/** A tick's ports: the leases and queue, and the target states. */
interface TickPorts extends DispatchPorts {
  readonly states: { all(): Promise<ReadonlyMap<string, TargetState>> };
}

/** Options of {@link dispatchTick}. */
interface TickOptions extends DispatchOptions {
  /** `accounts.quietTargetEvery`, in ms. */
  readonly quietEveryMs: number;
}

/** What a tick did: the dispatch of the due targets, and the quiet targets left out. */
interface TickResult<T> extends DispatchResult {
  readonly quiet: readonly T[];
}

/**
 * Enqueues the due targets of one tick.
 *
 * @example const { enqueued, quiet } = await dispatchTick(targets, { leases, queue, states }, { now, leaseMs, quietEveryMs });
 */
async function dispatchTick<T extends { accountId: string; region: string; ouPath: readonly string[] }>(
  targets: readonly T[],
  ports: TickPorts,
  options: TickOptions,
): Promise<TickResult<T>> {
  const { due, quiet } = dueTargets(targets, await ports.states.all(), options.now, options.quietEveryMs);
  return { ...(await dispatchTargets(due, ports, options)), quiet };
}

export type { TickOptions, TickPorts, TickResult };
export { dispatchTick };
