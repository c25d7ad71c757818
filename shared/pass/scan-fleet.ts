/**
 * The read half of a pass: scan every region concurrently and read GPU telemetry in batches. Shared by `plan`,
 * `run` and the Lambda; deciding comes after, with the warning state in hand.
 */
import type { Config } from '../config';
import {
  hostReadFrom,
  type InstanceFacts,
  type InstanceInput,
  isInScope,
  lookbackMs,
  unreadTelemetry as notReadTelemetry,
  quietSpanMs,
} from '../engine';
import { ReaperError } from '../errors';
import type { RegionFailure, RegionReader } from './types';

/**
 * Which scanned instances need no read this pass: each with the instant before which no telemetry rule can hold
 * for it (its last reading was busy). The rest are read. A selection that fails reads them all.
 */
type ReadSelection = (instances: readonly InstanceFacts[]) => Promise<ReadonlyMap<string, Date>>;

async function readRegion(
  reader: RegionReader,
  config: Config,
  now: Date,
  select?: ReadSelection,
  splitUntil?: number,
): Promise<{ inputs: InstanceInput[]; unmatchedSeries: number; splits: number } | { failure: RegionFailure }> {
  try {
    const scanned = await reader.scanGpuInstances(config.scope.tags, config.scope.accelerators);
    const instances = scanned.filter((instance) => isInScope(instance, config));
    const notDue = select ? await select(instances).catch(() => new Map<string, Date>()) : new Map<string, Date>();
    const telemetry = await reader.readGpuTelemetry(
      instances.filter((instance) => !notDue.has(instance.instanceId)),
      readWindow(config, now, splitUntil),
    );
    const inputs = instances.map((instance) => {
      const next = notDue.get(instance.instanceId);
      const read = telemetry.get(instance.instanceId) ?? failedTelemetry(now, config);
      return { instance, telemetry: next ? notReadTelemetry(now, lookbackMs(config), next) : read };
    });
    return { inputs, unmatchedSeries: reader.unmatchedSeries?.() ?? 0, splits: reader.telemetrySplits?.() ?? 0 };
  } catch (error) {
    const code = error instanceof ReaperError ? error.code : 'UNEXPECTED';
    return { failure: { region: reader.region, code, message: (error as Error).message } };
  }
}

/** The look-back window every telemetry read of a pass uses (and until when its calls may be split). */
function readWindow(config: Config, now: Date, splitUntil?: number) {
  return {
    ...(splitUntil === undefined ? {} : { splitUntil }),
    now,
    lookbackMs: lookbackMs(config),
    // The since-launch maximum only matters to never-used, and only while the recent window is quiet.
    sinceLaunchBelow: config.neverUsed.enabled ? config.neverUsed.threshold : null,
    // Below every threshold a window's coverage can decide: only then are rollups proven per GPU.
    quietBelow: Math.max(config.idle.threshold, config.neverUsed.threshold),
    quietSpanMs: quietSpanMs(config),
    // Host activity for the instances a GPU rule could act on, over every window a host judgement needs.
    hostFrom: (instance: InstanceFacts) => hostReadFrom(instance, config, now),
  };
}

/**
 * Reads the telemetry of these scanned instances after all (the brake needs them, see `brakeReads`), each in its
 * region with the pass's window. A read that fails is an error for its instances, as it would have been in the scan.
 */
async function readMore(
  readers: readonly RegionReader[],
  config: Config,
  now: Date,
  instances: readonly InstanceFacts[],
): Promise<Map<string, InstanceInput['telemetry']>> {
  const read = new Map<string, InstanceInput['telemetry']>();
  await Promise.all(
    readers.map(async (reader) => {
      const mine = instances.filter((instance) => instance.region === reader.region);
      if (mine.length === 0) return;
      const telemetry = await reader.readGpuTelemetry(mine, readWindow(config, now)).catch(() => new Map());
      for (const instance of mine) {
        read.set(instance.instanceId, telemetry.get(instance.instanceId) ?? failedTelemetry(now, config));
      }
    }),
  );
  for (const instance of instances)
    if (!read.has(instance.instanceId)) read.set(instance.instanceId, failedTelemetry(now, config));
  return read;
}

/** Telemetry for an instance the reader returned nothing for: an error, so never evidence of idleness. */
function failedTelemetry(now: Date, config: Config): InstanceInput['telemetry'] {
  return {
    status: 'error',
    source: 'none',
    points: [],
    from: new Date(now.getTime() - lookbackMs(config)),
    to: now,
    sinceLaunchMax: null,
    error: 'no telemetry result for this instance',
  };
}

/**
 * Scans and reads every region. A region that fails is reported in `regionFailures` and the others go on: one
 * region's outage never sinks the pass. `splitUntil` (epoch ms, the pass's time budget) bounds how long the reads
 * may split GetMetricData calls that timed out. @default 4 minutes from each region's read
 */
async function scanFleet(
  readers: readonly RegionReader[],
  config: Config,
  now: Date,
  select?: ReadSelection,
  splitUntil?: number,
) {
  const perRegion = await Promise.all(readers.map((reader) => readRegion(reader, config, now, select, splitUntil)));
  const inputs: InstanceInput[] = [];
  const regionFailures: RegionFailure[] = [];
  let unmatchedSeries = 0;
  let telemetrySplits = 0;
  for (const result of perRegion) {
    if ('failure' in result) regionFailures.push(result.failure);
    else {
      inputs.push(...result.inputs);
      unmatchedSeries += result.unmatchedSeries;
      telemetrySplits += result.splits;
    }
  }
  // Failures a region's scan went on without (DescribeInstanceTypes: the family name decided).
  const regionProblems = readers.flatMap((reader) => reader.takeProblems?.() ?? []);
  return { inputs, regionFailures, regionProblems, unmatchedSeries, telemetrySplits };
}

export type { ReadSelection };
export { readMore, scanFleet };
