/**
 * A pass that skipped reading busy instances (the read schedule) reads some of them after all when the
 * telemetry-outage brake needs them (`brakeReads`): then decides again, so it holds back exactly what reading every
 * pass would.
 */
import type { Config } from '../config';
import { decideFleet, type FleetDecision, type InstanceInput } from '../engine';
import { readMore } from './scan-fleet';
import type { RegionReader } from './types';

/**
 * Decides the fleet, reading what the brake still needs first: the fewest instances that can settle it, then (only
 * if some of those turned out silent and it is still open) the rest. At most two extra reads; usually none.
 *
 * @example const { inputs, fleet } = await decideSettled(joined, readers, config, now);
 */
async function decideSettled<T extends InstanceInput>(
  joined: readonly T[],
  readers: readonly RegionReader[],
  config: Config,
  now: Date,
): Promise<{ inputs: readonly T[]; fleet: FleetDecision }> {
  let inputs = joined;
  let fleet = decideFleet(inputs, config, now);
  for (let round = 0; fleet.brakeReads.ids.length > 0; round += 1) {
    // The first round reads only as many as can settle the brake if they all have data; the second reads the rest.
    const ids = new Set(round === 0 ? fleet.brakeReads.ids.slice(0, fleet.brakeReads.fewest) : fleet.brakeReads.ids);
    const wanted = inputs.filter((input) => ids.has(input.instance.instanceId)).map((input) => input.instance);
    const read = await readMore(readers, config, now, wanted);
    inputs = inputs.map((input) => {
      const telemetry = read.get(input.instance.instanceId);
      return telemetry ? { ...input, telemetry } : input;
    });
    fleet = decideFleet(inputs, config, now);
  }
  return { inputs, fleet };
}

export { decideSettled };
