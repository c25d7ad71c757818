/**
 * A read-only pass: scan → read metrics → decide. Writes nothing anywhere (SPEC.md: `plan`).
 */
import type { Config } from '../config';
import type { WarningState } from '../engine';
import { evaluateFleet } from './evaluate-fleet';
import { newPassId } from './pass-id';
import type { PassResult, RegionReader } from './types';

/**
 * Runs the read half of a pass and returns its decisions without acting on any of them.
 *
 * @example
 * const result = await planPass({ config, now: new Date(), readers: regions.map((r) => awsRegionReader(r, clients(r), config)) });
 */
async function planPass(options: {
  readonly config: Config;
  readonly now: Date;
  readonly readers: readonly RegionReader[];
  readonly warnings?: ReadonlyMap<string, WarningState>;
}): Promise<PassResult> {
  const { config, now, readers } = options;
  const fleet = await evaluateFleet(options);
  return {
    passId: newPassId(now),
    mode: config.mode,
    now,
    regions: readers.map((reader) => reader.region),
    decisions: fleet.decisions,
    regionFailures: fleet.regionFailures,
    telemetryBrake: fleet.brake.engaged,
    capped: fleet.capped,
  };
}

export { planPass };
