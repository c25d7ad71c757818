/**
 * Which host window each GPU rule is judged with, and so where a pass's host read must start. `never-used` judged
 * the run since launch (after the agent's start-up), `idle` its idle window, `gpu-idle-host-busy` the last
 * `activity.host.notifyAfter`. Runs longer than a day are judged on their last day: EC2 keeps 1-minute data for
 * 15 days, but a day of a host working proves "not died at setup" as well as a week does.
 */
import type { Config } from '../config/schema';
import { buildContext } from './build-context';
import { policyOf } from './policy';
import { managedByAsg } from './rules/managed-by-asg';
import { managedByService } from './rules/managed-by-service';
import { optOut } from './rules/opt-out';
import { AGENT_START_MS, MINUTE_MS } from './telemetry';
import type { GpuTelemetry, InstanceFacts } from './types';

/** The longest host window judged: a run's last 24 hours. */
const HOST_SPAN_CAP_MS = 24 * 3_600_000;

/** `[from, to)` of a host judgement. */
interface HostWindow {
  readonly from: Date;
  readonly to: Date;
}

/** The host window of a GPU rule's judged window `[from, to)`: the same, its start no earlier than a day before its end. */
function hostWindowOf(judged: { readonly from: string | Date; readonly to: string | Date }): HostWindow {
  const to = new Date(judged.to);
  const from = new Date(Math.max(new Date(judged.from).getTime(), to.getTime() - HOST_SPAN_CAP_MS));
  return { from, to };
}

/** The start of the current minute: where every telemetry window ends. */
const windowEndOf = (now: Date) => new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS);

/** Skips that hold whatever the telemetry says: no GPU rule can act on such an instance, so its host is never read. */
const SKIPS = [optOut, managedByService, managedByAsg] as const;

function skipped(instance: InstanceFacts, config: Config, now: Date): boolean {
  const unread: GpuTelemetry = {
    status: 'unread',
    source: 'none',
    points: [],
    from: now,
    to: now,
    sinceLaunchMax: null,
  };
  const context = buildContext(instance, unread, config, now);
  return SKIPS.some((rule) => rule(context)?.verdict === 'skip');
}

/**
 * Where the host read of an instance starts at `now`, covering every window a host judgement could need; `null` when
 * no GPU rule could act on it (too young for `never-used` and `idle`, both off, host activity off, or opted out or
 * managed by another system).
 *
 * @example hostReadFrom(instance, config, new Date('2026-01-01T10:40Z')) // 10:10Z for a launch at 10:00Z
 */
function hostReadFrom(instance: InstanceFacts, config: Config, now: Date): Date | null {
  if (!config.activity.host.enabled) return null;
  const { launchTime } = instance;
  const policy = policyOf(config);
  const runningMs = now.getTime() - launchTime.getTime();
  const neverUsed = config.neverUsed.enabled && runningMs > policy.neverUsedAfterMs;
  const idle = config.idle.enabled && runningMs > policy.idleWindowMs;
  if (!neverUsed && !idle) return null;
  const end = windowEndOf(now).getTime();
  const starts: number[] = [end - Math.max(policy.idleWindowMs, policy.hostNotifyAfterMs)];
  if (neverUsed) starts.push(Math.ceil((launchTime.getTime() + AGENT_START_MS) / MINUTE_MS) * MINUTE_MS);
  const launchMinute = Math.floor(launchTime.getTime() / MINUTE_MS) * MINUTE_MS;
  if (skipped(instance, config, now)) return null;
  return new Date(Math.max(Math.min(...starts), end - HOST_SPAN_CAP_MS, launchMinute));
}

export type { HostWindow };
export { HOST_SPAN_CAP_MS, hostReadFrom, hostWindowOf };
