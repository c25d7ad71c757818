/**
 * Rule 6, `no-telemetry`: running longer than `noTelemetry.after` without telemetry enough to judge: no GPU
 * datapoint at all in that window, or a coverage below `idle.minCoverage` (sparse or partial publishing), unless a
 * datapoint proves the GPU busy. The owner is told (outcome `notify`, once per condition); missing data is never a
 * reason to act. A read error is not this rule: it is the pass's failure, not the instance's.
 */
import { formatDuration } from '../../config/durations';
import { share } from '../format';
import { AGENT_START_MS, windowStats } from '../telemetry';
import type { GpuPoint, GpuTelemetry } from '../types';
import type { Rule } from './context';

/** Why the telemetry cannot be judged: nothing at all, or too little. */
type TelemetryGap = 'none' | 'sparse';

/** Finds an instance whose GPU use cannot be judged, so that its owner learns why the reaper is blind to it. */
const noTelemetry: Rule = (context) => {
  const { instance, telemetry, config, policy, windowEnd, runningForMs } = context;
  // GPUs no source can measure (AMD, Habana): their owners are never told to install what cannot exist.
  if (context.telemetryUnsupported !== null) return null;
  if (
    !config.noTelemetry.enabled ||
    runningForMs <= policy.noTelemetryAfterMs ||
    telemetry.status === 'error' ||
    telemetry.status === 'unread'
  ) {
    return null;
  }
  const from = new Date(windowEnd.getTime() - policy.noTelemetryAfterMs);
  const stats = windowStats(telemetry.points, from, windowEnd);
  const source = config.metrics.sources.map((s) => `${s.namespace}/${s.metric}`).join(', ');
  const window = formatDuration(policy.noTelemetryAfterMs);
  if (stats.max === null) {
    return finding('none', {
      reason: `no GPU datapoint in the last ${window} (${source}: ${nothingRead(telemetry)})`,
      from,
      to: windowEnd,
      stats,
    });
  }
  if (stats.max !== null && stats.max >= config.idle.threshold) return null;
  // Sparse is judged on the minutes the agent could have published: not the first ones after launch.
  const judged = new Date(Math.max(from.getTime(), instance.launchTime.getTime() + AGENT_START_MS));
  const recent = windowStats(telemetry.points, judged, windowEnd);
  if (recent.minutes === 0 || recent.coverage >= config.idle.minCoverage) return null;
  const partial = partialMinutes(telemetry.points, judged, windowEnd);
  const silent = partial > 0 ? `; in ${partial} more some GPUs were silent` : '';
  return finding('sparse', {
    reason:
      `GPU telemetry too sparse to judge: ${recent.datapoints}/${recent.minutes} min of the last ${window} have ` +
      `data from every GPU${silent} (coverage ${share(recent.coverage)} < ${share(config.idle.minCoverage)}; ` +
      `${source}); does every GPU publish every minute (metrics_collection_interval 60)?`,
    from: judged,
    to: windowEnd,
    stats: recent,
  });
};

/** Why no datapoint came: no series at all, a MIG-mode GPU, or a series that stopped. */
function nothingRead(telemetry: GpuTelemetry): string {
  if (telemetry.mig) {
    return 'GPU memory is published but no utilization: MIG mode reports no utilization_gpu, so the reaper cannot judge it';
  }
  if (telemetry.status === 'missing') {
    return 'no series exists; is the CloudWatch agent running with its nvidia_smi plugin, or the gpumon script?';
  }
  return 'the series has no datapoint; has the agent stopped?';
}

/** Minutes of `[from, to)` with a reading that not every GPU gave. */
function partialMinutes(points: readonly GpuPoint[], from: Date, to: Date): number {
  return points.filter((p) => p.partial === true && p.at >= from.getTime() && p.at < to.getTime()).length;
}

function finding(
  gap: TelemetryGap,
  found: { reason: string; from: Date; to: Date; stats: ReturnType<typeof windowStats> },
): ReturnType<Rule> {
  const { stats } = found;
  return {
    rule: 'no-telemetry',
    verdict: 'notify',
    reason: found.reason,
    evidence: {
      telemetryGap: gap,
      window: { from: found.from.toISOString(), to: found.to.toISOString(), minutes: stats.minutes },
      datapoints: stats.datapoints,
      coverage: stats.coverage,
      maxUtilization: stats.max,
    },
  };
}

export type { TelemetryGap };
export { noTelemetry };
