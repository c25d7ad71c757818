/**
 * The read half of a pass: scan every region concurrently, read GPU telemetry in batches, decide with the engine.
 * Shared by `plan` (which stops here) and `run` (which then acts, notifies and audits).
 */
import type { Config } from '../config';
import { decideFleet, type InstanceInput, isInScope, lookbackMs, type WarningState } from '../engine';
import { ReaperError } from '../errors';
import type { RegionFailure, RegionReader } from './types';

/** Options of {@link evaluateFleet}. */
interface EvaluateOptions {
  readonly config: Config;
  readonly now: Date;
  readonly readers: readonly RegionReader[];
  /**
   * Pending warnings from the state table, by instance id. `undefined` (plan without a table) lets the engine read
   * the `warned` tag instead; a map means the table is the source of truth (absent = no warning).
   */
  readonly warnings?: ReadonlyMap<string, WarningState>;
}

async function readRegion(
  reader: RegionReader,
  config: Config,
  now: Date,
): Promise<{ inputs: InstanceInput[] } | { failure: RegionFailure }> {
  try {
    const scanned = await reader.scanGpuInstances(config.scope.tags);
    const instances = scanned.filter((instance) => isInScope(instance, config));
    const telemetry = await reader.readGpuTelemetry(instances, { now, lookbackMs: lookbackMs(config) });
    const inputs = instances.map((instance) => ({
      instance,
      telemetry: telemetry.get(instance.instanceId) ?? missingTelemetry(now, config, 'no telemetry result returned'),
    }));
    return { inputs };
  } catch (error) {
    const code = error instanceof ReaperError ? error.code : 'UNEXPECTED';
    return { failure: { region: reader.region, code, message: (error as Error).message } };
  }
}

function missingTelemetry(now: Date, config: Config, error: string): InstanceInput['telemetry'] {
  return {
    status: 'error',
    source: 'none',
    points: [],
    from: new Date(now.getTime() - lookbackMs(config)),
    to: now,
    sinceLaunchMax: null,
    error,
  };
}

/**
 * Scans, reads and decides for every configured region.
 *
 * A region that fails is reported in `regionFailures` and the others go on: one region's outage never sinks the pass.
 */
async function evaluateFleet(options: EvaluateOptions) {
  const { config, now, readers, warnings } = options;
  const perRegion = await Promise.all(readers.map((reader) => readRegion(reader, config, now)));
  const inputs: InstanceInput[] = [];
  const regionFailures: RegionFailure[] = [];
  for (const result of perRegion) {
    if ('failure' in result) regionFailures.push(result.failure);
    else inputs.push(...result.inputs);
  }
  const withWarnings = warnings
    ? inputs.map((input) => ({ ...input, warning: warnings.get(input.instance.instanceId) ?? null }))
    : inputs;
  const fleet = decideFleet(withWarnings, config, now);
  return { ...fleet, inputs: withWarnings, regionFailures };
}

export type { EvaluateOptions };
export { evaluateFleet };
