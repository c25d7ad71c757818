/**
 * Rule 4, `never-used`: running longer than `neverUsed.after`, telemetry covering at least `idle.minCoverage` of the
 * run since launch (its first minutes, while the agent starts, not counted), and the GPU never reached
 * `neverUsed.threshold` in it. A GPU busy before the agent published is exactly what uncovered minutes could hide,
 * so what cannot be proven (sparse data anywhere in the run, no coarse read for a launch older than the telemetry
 * window, a read error) is not never-used.
 */
import { formatDuration } from '../../config/durations';
import { percent, share } from '../format';
import { AGENT_START_MS, MINUTE_MS, windowStats } from '../telemetry';
import type { GpuTelemetry } from '../types';
import type { Rule } from './context';

/** What the coverage of the run is judged on: `[from, windowEnd)`, its minutes and those with data. */
interface RunCoverage {
  /** The first whole minute after the agent's start-up (launch + {@link AGENT_START_MS}). */
  readonly from: Date;
  readonly datapoints: number;
  readonly minutes: number;
}

/** Datapoints and minutes of the run since launch, agent start-up excluded; `null` when the read cannot tell. */
function runCoverage(telemetry: GpuTelemetry, launchMs: number, windowEnd: Date): RunCoverage | null {
  const evidenceFrom = Math.ceil((launchMs + AGENT_START_MS) / MINUTE_MS) * MINUTE_MS;
  const from = new Date(evidenceFrom);
  const readFrom = telemetry.from.getTime();
  const fine = windowStats(telemetry.points, new Date(Math.max(evidenceFrom, readFrom)), windowEnd);
  const before = Math.max(0, Math.ceil(readFrom / MINUTE_MS) - evidenceFrom / MINUTE_MS);
  if (before === 0) return { from, datapoints: fine.datapoints, minutes: fine.minutes };
  const covered = telemetry.sinceLaunchCovered;
  if (covered === null || covered === undefined) return null;
  return { from, datapoints: fine.datapoints + Math.min(covered, before), minutes: fine.minutes + before };
}

/** Finds an instance whose GPU stayed below `neverUsed.threshold` for its whole, well-covered run so far. */
const neverUsed: Rule = ({ instance, telemetry, config, policy, windowEnd, runningForMs }) => {
  const { enabled, threshold } = config.neverUsed;
  if (!enabled || runningForMs <= policy.neverUsedAfterMs || telemetry.status !== 'ok') return null;
  const launchMs = instance.launchTime.getTime();
  const launchedBeforeWindow = launchMs < telemetry.from.getTime();
  if (launchedBeforeWindow && telemetry.sinceLaunchMax === null) return null;
  const covered = runCoverage(telemetry, launchMs, windowEnd);
  if (covered === null || covered.minutes === 0) return null;
  const coverage = covered.datapoints / covered.minutes;
  if (coverage < config.idle.minCoverage) return null;
  // The launch minute counts whole: a point in it may show use that started seconds after launch.
  const launchMinute = Math.floor(launchMs / MINUTE_MS) * MINUTE_MS;
  const from = new Date(Math.max(launchMinute, telemetry.from.getTime()));
  const run = windowStats(telemetry.points, from, windowEnd);
  const peaks = [run.max, telemetry.sinceLaunchMax].filter((value): value is number => value !== null);
  if (peaks.length === 0) return null;
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
      `${covered.datapoints}/${covered.minutes} min after the agent's first ${formatDuration(AGENT_START_MS)} ` +
      `have data, coverage ${share(coverage)})`,
    evidence: {
      // The window the coverage was judged on, so its minutes, datapoints and coverage are one set of numbers.
      window: { from: covered.from.toISOString(), to: windowEnd.toISOString(), minutes: covered.minutes },
      datapoints: covered.datapoints,
      coverage,
      runMinutes: covered.minutes,
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
