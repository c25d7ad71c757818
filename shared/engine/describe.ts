/**
 * The parts of a decision that describe the instance whatever the outcome: the base evidence (launch, GPU,
 * telemetry, the idle window's numbers) and, for `keep`, why nothing applies.
 */
import { formatDuration } from '../config/durations';
import { clip, peak, share, when } from './format';
import { idleRunMinutes } from './idle-run';
import type { RuleContext } from './rules/context';
import { expired } from './rules/expired';
import { maxRuntime } from './rules/max-runtime';
import { GpuActivity, gpuActivity, windowStats } from './telemetry';
import type { Evidence } from './types';

function idleWindow({ telemetry, policy, windowEnd }: RuleContext) {
  const from = new Date(windowEnd.getTime() - policy.idleWindowMs);
  return { from, stats: windowStats(telemetry.points, from, windowEnd) };
}

/**
 * The evidence every decision carries: launch, running time, GPU, telemetry, the idle window's numbers, and how long
 * the GPU has been idle. `idleUsd` is `null` here: the caller, which holds the price, fills it in.
 *
 * @example baseEvidence(context).runningForMinutes // 95
 */
function baseEvidence(context: RuleContext): Evidence {
  const { instance, telemetry, config, windowEnd, runningForMs } = context;
  const { from, stats } = idleWindow(context);
  return {
    launchTime: instance.launchTime.toISOString(),
    runningForMinutes: Math.floor(runningForMs / 60_000),
    gpuCount: instance.gpu.count,
    gpuSource: instance.gpu.source,
    telemetry: telemetry.status,
    telemetrySource: telemetry.source,
    ...(telemetry.gpuSeries === undefined ? {} : { gpuSeries: telemetry.gpuSeries }),
    ...(telemetry.error === undefined ? {} : { telemetryError: clip(telemetry.error) }),
    window: { from: from.toISOString(), to: windowEnd.toISOString(), minutes: stats.minutes },
    datapoints: stats.datapoints,
    coverage: stats.coverage,
    maxUtilization: stats.max,
    threshold: config.idle.threshold,
    minCoverage: config.idle.minCoverage,
    idleMinutes: idleRunMinutes(context),
    idleUsd: null,
  };
}

function activityText(context: RuleContext): string {
  const { telemetry, config, policy, runningForMs } = context;
  if (telemetry.status === 'unread' && telemetry.nextReadAt) {
    return `GPU busy at its last reading; not read again before ${when(telemetry.nextReadAt, context.now)} (no GPU rule can hold sooner)`;
  }
  const { stats } = idleWindow(context);
  const window = formatDuration(policy.idleWindowMs);
  const { threshold, minCoverage } = config.idle;
  switch (gpuActivity(telemetry.status, stats, threshold, minCoverage)) {
    case GpuActivity.busy:
      return `GPU busy (max ${peak(stats.max)} ≥ ${threshold}% in the last ${window})`;
    case GpuActivity.idle: {
      const why = config.idle.enabled ? `running only ${formatDuration(runningForMs)}` : 'the idle rule is disabled';
      return `GPU below ${threshold}% in the last ${window}, but ${why}`;
    }
    default:
      if (context.telemetryUnsupported !== null) {
        return `telemetry unsupported (${clip(context.telemetryUnsupported)}): only max-runtime and expiry apply`;
      }
      return telemetry.status === 'missing'
        ? 'GPU activity unknown (no telemetry series)'
        : `GPU activity unknown (coverage ${share(stats.coverage)} < ${share(minCoverage)} of the last ${window})`;
  }
}

/**
 * Why an instance is kept: its GPU activity and the deadlines still ahead.
 *
 * @example keepReason(context) // 'no rule applies: running 2h, GPU busy (max 45% ≥ 5% in the last 1h)'
 */
function keepReason(context: RuleContext): string {
  const parts = [`no rule applies: running ${formatDuration(context.runningForMs)}, ${activityText(context)}`];
  for (const finding of [expired(context), maxRuntime(context)]) {
    if (finding?.verdict === 'act' && finding.deadline)
      parts.push(`${finding.rule} deadline ${when(finding.deadline, context.now)}`);
  }
  return parts.join('; ');
}

export { baseEvidence, keepReason };
