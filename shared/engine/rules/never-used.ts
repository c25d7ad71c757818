/**
 * Rule 7, `never-used`: running longer than `neverUsed.after` with telemetry present, and the GPU never reached
 * `neverUsed.threshold` since launch. What cannot be proven (no coarse max for a launch older than the telemetry
 * window, sparse recent data, a read error) is not never-used.
 */
import { formatDuration } from '../../config/durations';
import { percent, share } from '../format';
import { MINUTE_MS, windowStats } from '../telemetry';
import type { Rule } from './context';

/** Finds an instance whose GPU stayed below `neverUsed.threshold` for its whole run so far. */
const neverUsed: Rule = ({ instance, telemetry, config, policy, now, runningForMs }) => {
  const { enabled, threshold } = config.neverUsed;
  if (!enabled || runningForMs <= policy.neverUsedAfterMs || telemetry.status !== 'ok') return null;
  const recent = windowStats(telemetry.points, new Date(now.getTime() - policy.neverUsedAfterMs), now);
  if (recent.coverage < config.idle.minCoverage) return null;
  const launchedBeforeWindow = instance.launchTime < telemetry.from;
  if (launchedBeforeWindow && telemetry.sinceLaunchMax === null) return null;
  // The launch minute counts whole: a point in it may show use that started seconds after launch.
  const launchMinute = Math.floor(instance.launchTime.getTime() / MINUTE_MS) * MINUTE_MS;
  const from = new Date(Math.max(launchMinute, telemetry.from.getTime()));
  const run = windowStats(telemetry.points, from, now);
  const peaks = [run.max, telemetry.sinceLaunchMax].filter((value): value is number => value !== null);
  const peak = Math.max(...peaks);
  if (peak >= threshold) return null;
  return {
    rule: 'never-used',
    verdict: 'act',
    action: config.actions.neverUsed,
    deadline: null,
    warnFrom: null,
    reason:
      `GPU never reached ${threshold}% in ${formatDuration(runningForMs)} since launch (max ${percent(peak)}; ` +
      `${recent.datapoints}/${recent.minutes} min of the last ${config.neverUsed.after} have data, ` +
      `coverage ${share(recent.coverage)})`,
    evidence: {
      window: { from: from.toISOString(), to: now.toISOString(), minutes: run.minutes },
      datapoints: run.datapoints,
      coverage: run.coverage,
      recentCoverage: recent.coverage,
      maxUtilization: peak,
      sinceLaunchMax: telemetry.sinceLaunchMax,
      threshold,
      minCoverage: config.idle.minCoverage,
      // Never used since launch: every minute of the run so far was idle.
      idleMinutes: Math.floor(runningForMs / MINUTE_MS),
    },
  };
};

export { neverUsed };
