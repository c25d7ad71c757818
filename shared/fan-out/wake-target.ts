/**
 * A launch in a quiet target wakes it: the target is marked woken (so the next tick passes it even if a pass is
 * running now and started before the launch) and enqueued at once through the same lease and queue as a tick,
 * so it never overlaps a running pass of that target. A target passed every tick anyway is left to its tick; one
 * never recorded (no target of this hub, or not passed yet: the next tick passes it) is left alone.
 */

import { type DispatchOptions, type DispatchPorts, type DispatchResult, dispatchTargets } from './dispatch-targets';
import type { LaunchEvent } from './launch-event';
import { type StateTarget, type TargetState, type WakeDecision, wakeDecision } from './quiet-targets';

/** What a wake-up needs besides a tick's ports: the target states. */
interface WakePorts extends DispatchPorts {
  readonly states: {
    get(target: StateTarget): Promise<TargetState | undefined>;
    wake(target: StateTarget, at: Date): Promise<boolean>;
  };
}

/** What a launch event did. */
interface WakeResult {
  readonly decision: WakeDecision | 'excluded';
  /** The tick's result for the one target, when it was woken. */
  readonly dispatched?: DispatchResult;
}

/**
 * Wakes the target of a launch.
 *
 * @param excluded accounts the config never covers (`accounts.exclude`)
 * @example await wakeTarget(launchEventOf(event)!, ports, { now: new Date(), leaseMs }, config.accounts.exclude)
 */
async function wakeTarget(
  launch: LaunchEvent,
  ports: WakePorts,
  options: DispatchOptions,
  excluded: readonly string[] = [],
): Promise<WakeResult> {
  if (excluded.includes(launch.accountId)) return { decision: 'excluded' };
  const state = await ports.states.get(launch);
  const decision = wakeDecision(state);
  if (decision !== 'wake' || state === undefined) return { decision };
  await ports.states.wake(launch, options.now);
  const target = { accountId: state.accountId, region: state.region, ouPath: state.ouPath };
  return { decision, dispatched: await dispatchTargets([target], ports, options) };
}

export type { WakePorts, WakeResult };
export { wakeTarget };
