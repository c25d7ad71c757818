/**
 * A read-only pass: scan → read metrics → decide. Writes nothing anywhere (SPEC.md: `plan`).
 */
import type { Config } from '../config';
import { decideFleet } from '../engine';
import { newPassId } from './pass-id';
import type { StateStore } from './ports';
import { scanFleet } from './scan-fleet';
import type { PassResult, RegionReader } from './types';
import { warningsFor } from './warnings';

/**
 * Runs the read half of a pass and returns its decisions without acting on any of them. With a state store the
 * pending warnings come from it (read only); without one, from the instances' `warned` tags.
 *
 * @example
 * const { readers } = composeRegions({ config, regions: ['us-east-1'], homeRegion: 'us-east-1', table: null, topicArn: null });
 * const result = await planPass({ config, now: new Date(), readers });
 */
async function planPass(options: {
  readonly config: Config;
  readonly now: Date;
  readonly readers: readonly RegionReader[];
  readonly store?: StateStore;
}): Promise<PassResult> {
  const { config, now, readers, store } = options;
  const { inputs, regionFailures } = await scanFleet(readers, config, now);
  const withWarnings = store ? await warningsFor(inputs, store) : inputs;
  const fleet = decideFleet(withWarnings, config, now);
  return {
    passId: newPassId(now),
    mode: config.mode,
    now,
    regions: readers.map((reader) => reader.region),
    decisions: fleet.decisions,
    regionFailures,
    telemetryBrake: fleet.brake.engaged,
    capped: fleet.capped,
  };
}

export { planPass };
