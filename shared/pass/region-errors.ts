/**
 * Failures of a whole region (it could not be scanned) or of a lookup the scan absorbed (DescribeInstanceTypes
 * failing, the family name deciding instead): no instance carries them, so each becomes an `ERROR` event of the
 * region itself (`instanceId = region/<name>`, `region/<name>/<account>` with many accounts, in its own partition), once per region, call and UTC day.
 */
import type { ReaperEvent } from '../core/events';
import type { Recorder } from './recorder';
import type { RegionFailure } from './types';

/** What every event of the pass shares. */
interface RegionErrorStamp {
  readonly passId: string;
  readonly now: Date;
  readonly mode: 'dry-run' | 'enforce';
  readonly configHash: string;
  readonly tagPrefix: string;
  /** The member account of the pass (many accounts); its region errors are its own. @default null */
  readonly accountId?: string | null;
}

/** The `ERROR` event of a region-level failure. */
function regionErrorEvent(stamp: RegionErrorStamp, failure: RegionFailure, key: string): ReaperEvent {
  const at = stamp.now.toISOString();
  // Many accounts share one table: each account's region is its own partition.
  const account = stamp.accountId ?? null;
  const instanceId = account ? `region/${failure.region}/${account}` : `region/${failure.region}`;
  return {
    transitionId: `${instanceId}:ERROR:${key}`,
    event: 'ERROR',
    instanceId,
    region: failure.region,
    accountId: account,
    at,
    rule: null,
    action: null,
    actAt: null,
    mode: stamp.mode,
    reason: `${failure.message} (${failure.code})`,
    evidence: {
      launchTime: at,
      runningForMinutes: 0,
      gpuCount: 0,
      gpuSource: 'instance-types',
      telemetry: 'error',
      telemetrySource: 'none',
      idleMinutes: null,
      idleUsd: null,
    },
    instanceType: '-',
    owner: null,
    hourlyUsd: null,
    passId: stamp.passId,
    configHash: stamp.configHash,
    tagPrefix: stamp.tagPrefix,
  };
}

/** Records each region-level failure once per region, code and UTC day; never throws. */
async function recordRegionErrors(
  recorder: Recorder,
  stamp: RegionErrorStamp,
  failures: readonly RegionFailure[],
): Promise<void> {
  const day = stamp.now.toISOString().slice(0, 10);
  for (const failure of failures) {
    const key = `region:${failure.code}:${day}`;
    await recorder.recordError(regionErrorEvent(stamp, failure, key), `error:${key}`);
  }
}

export type { RegionErrorStamp };
export { recordRegionErrors, regionErrorEvent };
