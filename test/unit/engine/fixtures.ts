/**
 * Builders for engine tests: instances, GPU telemetry, warnings and configs with readable defaults. Times are
 * relative to {@link NOW} unless a test passes its own clock.
 */
import { parseDuration } from '../../../shared/config/durations';
import { type Config, type ConfigInput, parseConfig } from '../../../shared/config/schema';
import {
  buildContext,
  type Decision,
  decideInstance,
  type GpuPoint,
  type GpuTelemetry,
  type InstanceFacts,
  type InstanceInput,
  type RuleContext,
  type RuleName,
  type WarningState,
} from '../../../shared/engine';

/** The default evaluation clock of engine tests (minute-aligned). */
const NOW = new Date('2025-06-02T12:00:00.000Z');

/** A duration (`90m`, `3h`) in ms; throws on a typo so tests fail loudly. */
function ms(duration: string): number {
  const value = parseDuration(duration);
  if (value === undefined) throw new Error(`bad duration in test: ${duration}`);
  return value;
}

/** The instant `duration` before `now` (`ago('3h')`). */
function ago(duration: string, now: Date = NOW): Date {
  return new Date(now.getTime() - ms(duration));
}

/** The instant `duration` after `now` (`later('30m')`). */
function later(duration: string, now: Date = NOW): Date {
  return new Date(now.getTime() + ms(duration));
}

/** A validated config: the defaults with `input` applied. */
function config(input: ConfigInput = {}): Config {
  return parseConfig(input);
}

/** A running single-GPU g5.xlarge launched 3h before {@link NOW}, owned by alice; override any field. */
function instance(overrides: Partial<InstanceFacts> = {}): InstanceFacts {
  return {
    instanceId: 'i-0aaaaaaaaaaaaaaa1',
    region: 'us-east-1',
    accountId: '123456789012',
    instanceType: 'g5.xlarge',
    state: 'running',
    launchTime: ago('3h'),
    tags: { Owner: 'alice@example.com' },
    gpu: { hasGpu: true, count: 1, source: 'instance-types' },
    rootDeviceType: 'ebs',
    spot: null,
    ...overrides,
  };
}

/** Options of {@link points}. */
interface PointsOptions {
  /** How far back the series starts (default `1h`). */
  readonly span?: string;
  /** How far before `now` it ends (default `0m`: up to now). */
  readonly until?: string;
  /** Minutes between points (default 1). */
  readonly every?: number;
  readonly now?: Date;
}

/**
 * One point per minute over `[now − span, now − until)`, each with `value` (or `value(i)` for the i-th minute).
 *
 * @example points(1) // 60 points at 1% over the last hour
 */
function points(value: number | ((index: number) => number), options: PointsOptions = {}): GpuPoint[] {
  const now = options.now ?? NOW;
  const start = ago(options.span ?? '1h', now).getTime();
  const end = ago(options.until ?? '0m', now).getTime();
  const step = (options.every ?? 1) * 60_000;
  const result: GpuPoint[] = [];
  for (let at = start, index = 0; at < end; at += step, index += 1) {
    result.push({ at, max: typeof value === 'number' ? value : value(index) });
  }
  return result;
}

/** `ok` telemetry from the instance roll-up over the last hour, with the given points; override any field. */
function telemetry(series: readonly GpuPoint[] = [], overrides: Partial<GpuTelemetry> = {}): GpuTelemetry {
  return {
    status: 'ok',
    source: 'instance-rollup',
    points: series,
    from: ago('1h', overrides.to ?? NOW),
    to: NOW,
    sinceLaunchMax: null,
    ...overrides,
  };
}

/** Telemetry for an instance that publishes no series at all. */
function missing(overrides: Partial<GpuTelemetry> = {}): GpuTelemetry {
  return telemetry([], { status: 'missing', source: 'none', ...overrides });
}

/** Telemetry whose read failed. */
function failed(error = 'GetMetricData: Throttling', overrides: Partial<GpuTelemetry> = {}): GpuTelemetry {
  return telemetry([], { status: 'error', source: 'none', error, ...overrides });
}

/** A pending warning issued at `warnedAt` for `rule`, due at `actAt`. */
function warning(rule: RuleName, actAt: Date, warnedAt: Date | null = null, action: WarningState['action'] = 'stop') {
  return { rule, action, actAt, warnedAt } satisfies WarningState;
}

/** An engine input: an instance (defaults above), its telemetry, and its warning (`null`: none). */
function input(
  instanceOverrides: Partial<InstanceFacts> = {},
  series: GpuTelemetry = telemetry(),
  pending: WarningState | null | undefined = null,
): InstanceInput {
  return { instance: instance(instanceOverrides), telemetry: series, warning: pending };
}

/** The owner's and the reaper's tags, prefixed (`tags({ 'opt-out': '' })` → `{ 'gpu-reaper:opt-out': '' }`). */
function reaperTags(values: Record<string, string>, prefix = 'gpu-reaper:'): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}${key}`, value]));
}

/** What {@link decide} and {@link context} take; every field optional. */
interface Scenario {
  readonly instance?: Partial<InstanceFacts>;
  readonly telemetry?: GpuTelemetry;
  /** `undefined` reads the `warned` tag; `null` (the default) means no warning. */
  readonly warning?: WarningState | null | undefined;
  readonly config?: ConfigInput;
  readonly now?: Date;
}

/** One decision for a scenario (defaults: an instance running 3h, no points, no warning, default config, NOW). */
function decide(scenario: Scenario = {}): Decision {
  const engineInput: InstanceInput = {
    instance: instance(scenario.instance),
    telemetry: scenario.telemetry ?? telemetry(),
    warning: 'warning' in scenario ? scenario.warning : null,
  };
  return decideInstance(engineInput, config(scenario.config), scenario.now ?? NOW);
}

/** The rule context of a scenario, to call one rule directly. */
function context(scenario: Scenario = {}): RuleContext {
  const now = scenario.now ?? NOW;
  return buildContext(instance(scenario.instance), scenario.telemetry ?? telemetry(), config(scenario.config), now);
}

export type { PointsOptions, Scenario };
export {
  ago,
  config,
  context,
  decide,
  failed,
  input,
  instance,
  later,
  missing,
  ms,
  NOW,
  points,
  reaperTags,
  telemetry,
  warning,
};
