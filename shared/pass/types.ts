/**
 * What a pass needs from the outside world and what it returns. The CLI and the Lambda build these from their own
 * edges (flags or environment) and then run the very same pass.
 */
import type { Config } from '../config';
import type { Decision, GpuTelemetry, InstanceFacts } from '../engine';

/** Reads one region's GPU fleet and its telemetry (implemented by the EC2 and CloudWatch adapters). */
interface RegionReader {
  readonly region: string;
  /** Running GPU instances (already narrowed by `scope.tags` server-side where possible). */
  scanGpuInstances(
    scopeTags: Readonly<Record<string, readonly string[]>>,
    accelerators?: readonly ('gpu' | 'neuron')[],
  ): Promise<readonly InstanceFacts[]>;
  /** GPU telemetry for these instances over the look-back window ending at `now`. */
  readGpuTelemetry(
    instances: readonly InstanceFacts[],
    window: {
      readonly now: Date;
      readonly lookbackMs: number;
      readonly sinceLaunchBelow?: number | null;
      readonly quietBelow?: number;
      readonly quietSpanMs?: number;
      /** Where an instance's host-metric read starts should its GPUs prove quiet; `null`: not read. @default never */
      readonly hostFrom?: (instance: InstanceFacts) => Date | null;
      /**
       * Epoch ms until which a GetMetricData call that timed out is split and its halves read (the pass's time
       * budget). @default 4 minutes from the start of the read
       */
      readonly splitUntil?: number;
    },
  ): Promise<ReadonlyMap<string, GpuTelemetry>>;
  /** After a telemetry read: listed GPU series that matched none of its instances. @default 0 */
  unmatchedSeries?(): number;
  /** After a telemetry read: how often a GetMetricData call that timed out or was throttled was split. @default 0 */
  telemetrySplits?(): number;
  /**
   * Failures the scans so far absorbed and went on without (DescribeInstanceTypes failing: the family name
   * decided); taking them forgets them. @default none
   */
  takeProblems?(): readonly RegionFailure[];
  /**
   * Instances carrying the `warned` tag that are no longer running (stopping, stopped, shutting down, terminated),
   * with when they stopped if EC2 says: a warning pending on one of them was overtaken by someone else's stop.
   * @default not listed: such warnings stay until the instance runs again
   * @throws when the region cannot be listed
   */
  listWarnedNotRunning?(warnedTag: string): Promise<readonly { instance: InstanceFacts; stoppedAt: Date | null }[]>;
}

/** A region that could not be scanned at all; its instances are absent from the decisions. */
interface RegionFailure {
  readonly region: string;
  readonly code: string;
  readonly message: string;
}

/** The outcome of one pass, before rendering. */
interface PassResult {
  readonly passId: string;
  readonly mode: Config['mode'];
  readonly now: Date;
  readonly regions: readonly string[];
  readonly decisions: readonly Decision[];
  readonly regionFailures: readonly RegionFailure[];
  /** Set when more than half of the fleet had no GPU telemetry and idle/never-used were held back. */
  readonly telemetryBrake: boolean;
  /** Actions held back by `maxActionsPerPass`. */
  readonly capped: number;
  /**
   * Listed GPU series that matched no scanned instance (a host name that is no private DNS name, or no instance
   * dimension): a misconfigured agent fleet shows here. @default 0
   */
  readonly unmatchedSeries?: number;
  /** How often a GetMetricData call that timed out or was throttled was split in halves and retried. @default 0 */
  readonly telemetrySplits?: number;
}

/** EC2 mutations and the fresh re-describe of one region (implemented by the EC2 adapter). */
interface RegionActor {
  readonly region: string;
  /** Fresh facts right before acting (state, tags, protection); `null` when the instance is gone. */
  describeForAction(instanceId: string): Promise<InstanceFacts | null>;
  /** Stops it; with `hibernate`, hibernates it (only for an instance set up for hibernation). */
  stop(instanceId: string, options?: { readonly hibernate?: boolean }): Promise<void>;
  terminate(instanceId: string): Promise<void>;
  setTags(instanceId: string, tags: Readonly<Record<string, string>>): Promise<void>;
  removeTags(instanceId: string, keys: readonly string[]): Promise<void>;
}

export type { PassResult, RegionActor, RegionFailure, RegionReader };
