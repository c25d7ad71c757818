/**
 * The shapes the engine works on: plain data in (instances, GPU telemetry, config, the clock, warning state),
 * plain decisions out. Nothing here knows about AWS; adapters translate to and from these shapes.
 */

/** How the instance type was recognised as having a GPU. */
type GpuSource = 'instance-types' | 'family-fallback';

/**
 * Accelerator facts of an instance type (DescribeInstanceTypes' `GpuInfo`, or `NeuronInfo` for Trainium and
 * Inferentia). `count` is the physical GPU count: 0 for fractional GPUs (g6f), which still count as GPU.
 */
interface GpuInfo {
  /** The type has a GPU (whole or fractional). Neuron types have none: see `accelerator`. */
  readonly hasGpu: boolean;
  /** Physical GPUs (`Count`); Neuron devices when `accelerator` is `neuron`; 0 when the family name decided. */
  readonly count: number;
  /** `family-fallback` when DescribeInstanceTypes did not know the type and the name (`p*`, `g*`) decided. */
  readonly source: GpuSource;
  readonly memoryMiB?: number;
  /**
   * What accelerates the type: `gpu` (GpuInfo) or `neuron` (Trainium, Inferentia: NeuronInfo).
   * @default 'gpu' when `hasGpu`
   */
  readonly accelerator?: 'gpu' | 'neuron';
  /**
   * Who makes the GPUs (`Gpus[0].Manufacturer`: `NVIDIA`, `AMD`, `Habana`, …; `AWS` for Neuron); only NVIDIA GPUs
   * have nvidia-smi. `null` when the family name decided and does not tell.
   * @default unknown (older facts)
   */
  readonly manufacturer?: string | null;
  /** The accelerator's model (`A100`, `L4`, `Radeon Pro V520`, `Trainium`). */
  readonly model?: string;
  /** Logical GPUs (`LogicalGpuCount`): 1 on a g6f.large, whose physical `count` is 0. */
  readonly logicalCount?: number;
  /** Share of one physical GPU each logical GPU gets (`GpuPartitionSize`): 0.125 on g6f.large, 1 for whole GPUs. */
  readonly partitionSize?: number;
  /** NeuronCores across the Neuron devices (Neuron types only). */
  readonly neuronCores?: number;
}

/** An EC2 instance as the engine sees it: what DescribeInstances and DescribeInstanceTypes told. */
interface InstanceFacts {
  readonly instanceId: string;
  readonly region: string;
  readonly accountId: string | null;
  readonly instanceType: string;
  /** EC2 state name: `running`, `stopped`, … */
  readonly state: string;
  /** Since the last start (EC2 `LaunchTime`). */
  readonly launchTime: Date;
  readonly tags: Readonly<Record<string, string>>;
  readonly gpu: GpuInfo;
  readonly rootDeviceType: 'ebs' | 'instance-store';
  /** Spot details when the instance is Spot; a one-time Spot instance cannot be stopped. */
  readonly spot: { readonly requestType: 'one-time' | 'persistent' | 'unknown' } | null;
  /** Stop/termination protection, when known (re-described right before acting). */
  readonly protection?: { readonly stop: boolean; readonly termination: boolean };
  /**
   * Set up for hibernation (EC2 `HibernationOptions.Configured`): a stop can then hibernate it, keeping its memory.
   * @default false
   */
  readonly hibernation?: boolean;
  /**
   * EC2 `PrivateDnsName` (`ip-10-1-2-3.ec2.internal`): a CloudWatch agent without `append_dimensions` names its
   * series by the host name, the short (`ip-10-1-2-3`) or full form of it.
   * @default unknown
   */
  readonly privateDnsName?: string;
}

/** One minute of GPU telemetry: the maximum across all GPUs of the instance in that minute. */
interface GpuPoint {
  /** Start of the minute, epoch ms. */
  readonly at: number;
  /** GPU utilization in percent (0–100) of the busiest GPU. */
  readonly max: number;
  /**
   * Some GPUs of the instance were silent in this minute: its maximum only proves busy (at or above a threshold);
   * below, the minute is unknown and does not count as covered. @default false
   */
  readonly partial?: boolean;
}

/** One period of EC2's host metrics: its CPU maximum and its network bytes (in + out), either absent when unread. */
interface HostPoint {
  /** Start of the period, epoch ms. */
  readonly at: number;
  /** `AWS/EC2` `CPUUtilization` Maximum in the period, percent. */
  readonly cpuMax: number | null;
  /** `NetworkIn` Sum + `NetworkOut` Sum over the period, bytes. */
  readonly networkBytes: number | null;
}

/**
 * EC2's host metrics of one instance as read (Host activity): `ok` with its periods (ascending), `missing` when
 * nothing answered, `error` when the read failed. Unknown host activity leaves the GPU rules to judge alone.
 */
interface HostSamples {
  readonly status: 'ok' | 'missing' | 'error';
  readonly points: readonly HostPoint[];
  /** Where the read starts: periods before it were not asked for. */
  readonly from?: Date;
  readonly error?: string;
}

/** Where GPU telemetry came from; `none` when no series exists for the instance. */
type TelemetrySource = 'instance-rollup' | 'per-gpu' | 'none';

/**
 * GPU telemetry of one instance over a look-back window ending at `now`.
 * `status`: `ok` (the call answered; points may still be few), `missing` (no series at all), `error` (the read
 * failed: never evidence of idleness).
 */
interface GpuTelemetry {
  readonly status: 'ok' | 'missing' | 'error' | 'unread';
  readonly source: TelemetrySource;
  /** Per-minute maxima, ascending by `at`, inside `[from, to)`. */
  readonly points: readonly GpuPoint[];
  readonly from: Date;
  readonly to: Date;
  /**
   * Maximum GPU utilization since launch when the launch is older than the window (a coarse, hourly read);
   * `null` when not read or no data. When the launch is inside the window, `points` already cover it.
   */
  readonly sinceLaunchMax: number | null;
  /**
   * Minutes with a datapoint in `[launch + the agent's start-up, from)`: the coverage of the run before the window,
   * read with the since-launch maximum. `null` or absent when unknown (not read, or read only hourly): never-used
   * then cannot be proven for a launch older than the window.
   */
  readonly sinceLaunchCovered?: number | null;
  /** How many per-GPU series were merged (`per-gpu` source). */
  readonly gpuSeries?: number;
  /** What went wrong, for `status: 'error'`. */
  readonly error?: string;
  /**
   * The instance publishes GPU memory but no utilization: an NVIDIA GPU in MIG mode, whose utilization nvidia-smi
   * does not report. Unknown, never idle.
   */
  readonly mig?: boolean;
  /**
   * For `status: 'unread'`: the pass did not read this instance because its last reading (a busy minute) shows no
   * telemetry rule can hold before this instant.
   */
  readonly nextReadAt?: Date;
  /** The sources (`namespace/metric`) whose series were read for this instance. */
  readonly sources?: readonly string[];
  /**
   * EC2's host metrics, read only for an instance a GPU rule could act on (its GPUs quiet long enough).
   * @default not read (host activity unknown)
   */
  readonly host?: HostSamples;
}

/** A pending warning: what the reaper told the owner it will do, and when. From the state table or the tag. */
interface WarningState {
  readonly rule: RuleName;
  readonly action: Action;
  /** When the action is due (the warning's promise). */
  readonly actAt: Date;
  /** When the warning went out; unknown when read back from the tag only. */
  readonly warnedAt: Date | null;
  /**
   * When the owner's message was delivered (SNS accepted it): the grace runs from then. `null`: not yet (still in
   * the outbox), so the action waits; absent: not tracked (a warning read from the tag), taken as `warnedAt`.
   */
  readonly deliveredAt?: Date | null;
  /**
   * Where the action stands: `acted` (done, or recorded as would-act in dry-run) and `protected` (EC2 protection
   * blocked it) are final for this launch, so such an instance never takes a slot of `maxActionsPerPass` again.
   * Absent: `warned`.
   */
  readonly phase?: 'warned' | 'acting' | 'acted' | 'protected';
}

/** A team's spend this month (UTC) against its monthly budget (`budgets`), from the state table. */
interface BudgetStanding {
  /** The budget tag's value (`(untagged)` without one). */
  readonly team: string;
  readonly monthUsd: number;
  readonly budgetUsd: number;
}

/** What a pass decides for one instance. */
type Outcome = 'keep' | 'warn' | 'act' | 'skip' | 'notify' | 'error';
const OUTCOMES = ['keep', 'warn', 'act', 'skip', 'notify', 'error'] as const satisfies readonly Outcome[];

/** The rule that names a decision (docs/rules.md); `null` for `keep`. */
type RuleName =
  | 'expired'
  | 'max-runtime'
  | 'never-used'
  | 'idle'
  | 'no-telemetry'
  | 'opt-out'
  | 'snoozed'
  | 'protected'
  | 'managed-by-asg'
  | 'managed-by-service'
  | 'capped'
  | 'gpu-idle-host-busy'
  | 'unapproved'
  | 'budget';

type Action = 'stop' | 'terminate' | 'notify';

/** A tag whose value did not parse: ignored (the default applies), named in the reason, and the owner is told. */
interface TagProblem {
  readonly tag: string;
  readonly value: string;
  readonly message: string;
}

/** The numbers behind a decision, so every outcome can be explained and audited. */
interface Evidence {
  readonly launchTime: string;
  readonly runningForMinutes: number;
  readonly gpuCount: number;
  readonly gpuSource: GpuSource;
  readonly telemetry: GpuTelemetry['status'];
  readonly telemetrySource: TelemetrySource;
  /** The window the rule looked at. */
  readonly window?: { readonly from: string; readonly to: string; readonly minutes: number };
  readonly datapoints?: number;
  /** Share of the window's minutes that have a datapoint, 0–1. */
  readonly coverage?: number;
  /** Highest per-minute GPU maximum in the window (or since launch, for never-used). */
  readonly maxUtilization?: number | null;
  readonly threshold?: number;
  readonly minCoverage?: number;
  readonly maxRuntime?: string;
  readonly deadline?: string;
  readonly expiresAt?: string;
  readonly snoozeUntil?: string;
  /**
   * How long the GPU has been idle up to now, in whole minutes: the trailing run of minutes whose GPU maximum is
   * below `idle.threshold` (for never-used, the whole running time); 0 when the last minute was busy; `null` when
   * the telemetry cannot tell. Bounded by the telemetry look-back unless the GPU stayed idle since launch.
   */
  readonly idleMinutes: number | null;
  /** What the idle minutes cost: `idleMinutes / 60 × hourlyUsd`, in USD to the cent; `null` when either is unknown. */
  readonly idleUsd: number | null;
  /**
   * `false` on an event no telemetry was read for (an owner's answer from a message): its readings are absent, not
   * zero, and messages say so. @default read (absent)
   */
  readonly telemetryRead?: boolean;
  /** Host activity over the window the GPU rule judged (`never-used`, `idle`, `gpu-idle-host-busy`). */
  readonly host?: HostEvidenceOut;
  readonly [key: string]: unknown;
}

/** The host evidence of a decision: what EC2's host metrics showed over the judged window. */
interface HostEvidenceOut {
  readonly state: 'busy' | 'quiet' | 'unknown';
  readonly from: string;
  readonly to: string;
  /** Complete periods of the window at EC2's publishing period; of them, those with data and those host-busy. */
  readonly periods: number;
  readonly reportedPeriods: number;
  readonly busyPeriods: number;
  /** Highest CPU maximum, percent; `null` without data. */
  readonly cpuMax: number | null;
  /** Highest network rate (in + out), MiB per minute; `null` without data. */
  readonly networkMiBPerMinuteMax: number | null;
  /** EC2's publishing period detected from the datapoints, seconds: 300 (basic) or 60 (detailed). */
  readonly period: number | null;
  /** Why the state is unknown (`not read`, `no host datapoint`, the read's error, …); only when `unknown`. */
  readonly unknownBecause?: string;
}

/** What changes in the warning state when this decision is carried out. */
type WarningChange =
  | { readonly kind: 'none' }
  | { readonly kind: 'warn'; readonly warning: WarningState }
  | { readonly kind: 'act'; readonly warning: WarningState }
  | { readonly kind: 'clear'; readonly previous: WarningState };

/** The engine's answer for one instance (the decision of docs/json-output.md, plus what the shell needs to carry it out). */
interface Decision {
  readonly instanceId: string;
  /** The account the instance is in (many accounts: the target's); `null` when EC2 did not say. */
  readonly accountId: string | null;
  readonly region: string;
  readonly instanceType: string;
  readonly owner: string | null;
  readonly outcome: Outcome;
  readonly rule: RuleName | null;
  readonly action: Action | null;
  /** Whether an EC2 stop/terminate was performed; the engine always says `false`, the actuator sets it. */
  readonly executed: boolean;
  /** When the action is (or was) due, ISO; `null` when nothing is planned. */
  readonly actAt: string | null;
  readonly reason: string;
  /** On-demand $/hour of the instance, as the pass priced it (overrides, live, bundled); `null` when unknown. */
  readonly hourlyUsd: number | null;
  readonly evidence: Evidence;
  readonly tagProblems: readonly TagProblem[];
  /** The warning-state transition this decision implies; not part of the JSON output. */
  readonly warningChange: WarningChange;
  /**
   * A `snooze-until` value the pass has not recorded yet (audited once as `SNOOZED`, and its first sighting kept);
   * `null` otherwise. Not part of the JSON output.
   */
  readonly snoozeSeen: {
    readonly value: string;
    readonly firstSeenAt: Date;
    /** Until when the snooze holds, capped at the first sighting + `snooze.ceiling`. */
    readonly until: Date;
    readonly capped: boolean;
  } | null;
  /**
   * An `approved-until` value the pass has not recorded yet (audited once as `APPROVED`, and its first sighting
   * kept, so its ceiling counts from then); `null` otherwise. Not part of the JSON output.
   */
  readonly approvalSeen: {
    readonly value: string;
    readonly firstSeenAt: Date;
    readonly until: Date;
    readonly capped: boolean;
  } | null;
}

export type {
  Action,
  BudgetStanding,
  Decision,
  Evidence,
  GpuInfo,
  GpuPoint,
  GpuSource,
  GpuTelemetry,
  HostEvidenceOut,
  HostPoint,
  HostSamples,
  InstanceFacts,
  Outcome,
  RuleName,
  TagProblem,
  TelemetrySource,
  WarningChange,
  WarningState,
};
export { OUTCOMES };
