/**
 * The config's durations as milliseconds, read once per decision. The config arrives validated (every duration
 * parses), so a duration that does not parse here is a programming error, not an expected outcome.
 */
import { parseDuration } from '../config/durations';
import type { Config } from '../config/schema';
import { ConfigError } from '../errors';

/** The time spans of a config, in milliseconds. */
interface Policy {
  readonly maxRuntimeDefaultMs: number;
  readonly maxRuntimeCeilingMs: number;
  readonly warnAheadMs: number;
  readonly idleWindowMs: number;
  readonly neverUsedAfterMs: number;
  readonly noTelemetryAfterMs: number;
  readonly graceMs: number;
  readonly snoozeCeilingMs: number;
  /** `activity.host.notifyAfter`: GPUs unused this long on a busy host → the owner is asked once. */
  readonly hostNotifyAfterMs: number;
  /** `gating.grace`: an unapproved run is acted on this long after its warning was delivered (15m without gating). */
  readonly gatingGraceMs: number;
}

function toMs(text: string, path: string): number {
  const ms = parseDuration(text);
  // parseConfig already refused this; reaching here means the config skipped validation.
  if (ms === undefined) throw new ConfigError([{ path, message: `not a duration: ${JSON.stringify(text)}` }]);
  return ms;
}

/**
 * Reads the durations of a validated config as milliseconds.
 *
 * @throws ConfigError when a duration does not parse (only for a config that skipped `parseConfig`)
 * @example policyOf(defaultConfig()).graceMs // 1_800_000
 */
function policyOf(config: Config): Policy {
  return {
    maxRuntimeDefaultMs: toMs(config.maxRuntime.default, 'maxRuntime.default'),
    maxRuntimeCeilingMs: toMs(config.maxRuntime.ceiling, 'maxRuntime.ceiling'),
    warnAheadMs: toMs(config.maxRuntime.warnAhead, 'maxRuntime.warnAhead'),
    idleWindowMs: toMs(config.idle.window, 'idle.window'),
    neverUsedAfterMs: toMs(config.neverUsed.after, 'neverUsed.after'),
    noTelemetryAfterMs: toMs(config.noTelemetry.after, 'noTelemetry.after'),
    graceMs: toMs(config.warning.grace, 'warning.grace'),
    snoozeCeilingMs: toMs(config.snooze.ceiling, 'snooze.ceiling'),
    hostNotifyAfterMs: toMs(config.activity.host.notifyAfter, 'activity.host.notifyAfter'),
    // A team over budget is gated even without `gating`: it then gets the default grace.
    gatingGraceMs: toMs(config.gating?.grace ?? '15m', 'gating.grace'),
  };
}

export type { Policy };
export { policyOf };
