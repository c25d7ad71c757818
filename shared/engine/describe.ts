/**
 * The parts of a decision that describe the instance whatever the outcome: the base evidence (launch, GPU,
 * telemetry, the idle window's numbers) and, for `keep`, why nothing applies.
 */
import { formatDuration } from '../config/durations';
import { clip, peak, percent, share, when } from './format';
import { describeHost } from './host-activity';
import { idleRunMinutes } from './idle-run';
import type { RuleContext } from './rules/context';
import { expired } from './rules/expired';
import { heldByHost } from './rules/host-gate';
import { idle } from './rules/idle';
import { maxRuntime } from './rules/max-runtime';
import { neverUsed } from './rules/never-used';
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
    // Not read this pass (busy at its last reading): messages say so, never "no data".
    ...(telemetry.status === 'unread' && telemetry.nextReadAt
      ? { nextReadAt: telemetry.nextReadAt.toISOString() }
      : {}),
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
 * A keep because the host is working: the GPU rule a busy host held back, in words a person reads as "still setting
 * up", with the host's numbers and evidence; `null` when no GPU rule was held back.
 *
 * @example hostKeep(context)?.reason // 'GPU never used in 35m since launch (max 0%), but the host is busy: …'
 */
function hostKeep(context: RuleContext): { reason: string; evidence: Partial<Evidence> } | null {
  const held = heldByHost(context, [neverUsed, idle]);
  if (held === null) return null;
  const { finding, judgement } = held;
  const max = finding.evidence.maxUtilization;
  const gpu =
    finding.rule === 'never-used'
      ? `GPU never used in ${formatDuration(context.runningForMs)} since launch (max ${max == null ? '-' : percent(max)})`
      : `GPU idle for the last ${formatDuration(context.policy.idleWindowMs)} (max ${peak(max ?? null)})`;
  const why =
    finding.rule === 'never-used'
      ? 'still setting up (a download, preprocessing?), not died at setup'
      : 'the host is working (preprocessing, a download, a CPU stage?), not idle';
  return {
    reason: `${gpu}, but the host is busy: ${describeHost(judgement.host)}; ${why}`,
    evidence: { host: judgement.evidence },
  };
}

/**
 * Why an instance is kept: its GPU activity and the deadlines still ahead.
 *
 * @example keepReason(context) // 'no rule applies: running 2h, GPU busy (max 45% ≥ 5% in the last 1h)'
 */
function keepReason(context: RuleContext, host: string | null = null): string {
  const parts = [host ?? `no rule applies: running ${formatDuration(context.runningForMs)}, ${activityText(context)}`];
  for (const finding of [expired(context), maxRuntime(context)]) {
    if (finding?.verdict !== 'act' || !finding.deadline) continue;
    // An approval is the run's deadline: say whose it is, not only when.
    const approved = typeof finding.evidence.approvedUntil === 'string' ? ' (approved until then)' : '';
    parts.push(`${finding.rule} deadline ${when(finding.deadline, context.now)}${approved}`);
  }
  return parts.join('; ');
}

export { baseEvidence, hostKeep, keepReason };
