/**
 * Rule 8, `idle`: running longer than `idle.window`, the window's datapoint coverage at least `idle.minCoverage`,
 * and every per-minute GPU maximum in it below `idle.threshold`.
 */
import { formatDuration } from '../../config/durations';
import { peak, share } from '../format';
import { GpuActivity, gpuActivity, windowStats } from '../telemetry';
import type { Rule } from './context';

/** Finds an instance whose GPU is idle for the whole idle window, on well-covered data. */
const idle: Rule = ({ telemetry, config, policy, windowEnd, runningForMs }) => {
  const { enabled, threshold, minCoverage } = config.idle;
  if (!enabled || runningForMs <= policy.idleWindowMs) return null;
  const from = new Date(windowEnd.getTime() - policy.idleWindowMs);
  const stats = windowStats(telemetry.points, from, windowEnd);
  if (gpuActivity(telemetry.status, stats, threshold, minCoverage) !== GpuActivity.idle) return null;
  return {
    rule: 'idle',
    verdict: 'act',
    action: config.actions.idle,
    deadline: null,
    warnFrom: null,
    reason:
      `GPU max ${peak(stats.max)} < ${threshold}% for every minute of the last ` +
      `${formatDuration(policy.idleWindowMs)} (${stats.datapoints}/${stats.minutes} min, coverage ${share(stats.coverage)})`,
    evidence: {
      window: { from: from.toISOString(), to: windowEnd.toISOString(), minutes: stats.minutes },
      datapoints: stats.datapoints,
      coverage: stats.coverage,
      maxUtilization: stats.max,
      threshold,
      minCoverage,
    },
  };
};

export { idle };
