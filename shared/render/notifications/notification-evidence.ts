/**
 * The "why" of a notification: the rule in plain words and the numbers behind it (window, datapoints, coverage,
 * GPU maximum against the threshold, the host's activity, launch time), so an owner can check the reaper's reasoning.
 */
import { formatDuration } from '../../config/durations';
import type { ReaperEvent } from '../../core/events';
import { percent, share } from '../../engine/format';
import type { Evidence, RuleName } from '../../engine/types';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';
import { formatUtc } from '../text/utc-time';
import { gateWhy, projectedText } from './gating-notice';
import { hostBusyWhy, hostLine, hostQuiet } from './host-notice';

/** Longest reason printed; reasons quote tag values, which owners control. */
const MAX_REASON = 1_000;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Why the rule holds, as the end of a sentence ("… because <this>").
 *
 * @param prefix the tag prefix in force, for rules that a tag decides
 */
function ruleWhy(rule: RuleName | null, evidence: Evidence, prefix: string): string {
  const threshold = num(evidence.threshold);
  const below = threshold === undefined ? 'the idle threshold' : percent(threshold);
  const window = evidence.window ? formatDuration(evidence.window.minutes * 60_000) : undefined;
  // A quiet host is part of the case: the GPUs idle and nothing else working either.
  const quiet = hostQuiet(evidence) ? ', and its host was quiet too' : '';
  switch (rule) {
    case 'idle':
      return `its GPUs were idle: every per-minute GPU maximum${window ? ` in the last ${window}` : ''} stayed below ${below}${quiet}`;
    case 'never-used':
      return `its GPUs were never used: GPU utilization never reached ${below} since it started${quiet}`;
    case 'gpu-idle-host-busy':
      return hostBusyWhy(evidence);
    case 'max-runtime': {
      const max = str(evidence.maxRuntime);
      return `it has run longer than its maximum runtime${max ? ` of ${cleanText(max, 32)}` : ''} since its last start`;
    }
    case 'expired': {
      const at = str(evidence.expiresAt);
      return `it is past its expiry time${at ? ` (${formatUtc(at)})` : ''}`;
    }
    case 'no-telemetry':
      return 'it sends no GPU utilization data, so the reaper cannot tell whether it is busy';
    case 'opt-out':
      return `it carries the ${prefix}opt-out tag`;
    case 'snoozed': {
      const until = str(evidence.snoozeUntil);
      return `it is snoozed${until ? ` until ${formatUtc(until)}` : ''}`;
    }
    case 'protected':
      return 'stop or termination protection is on';
    case 'managed-by-asg':
      return 'an Auto Scaling group manages it';
    case 'managed-by-service':
      return 'another service (EKS, AWS Batch, ParallelCluster or SageMaker HyperPod) manages it';
    case 'capped':
      return 'this pass reached its limit of actions (maxActionsPerPass)';
    case 'unapproved':
      return gateWhy(evidence);
    case 'budget':
      return 'its team reached a share of its monthly GPU budget';
    default:
      return 'no rule applies';
  }
}

/** The evidence as labelled lines; only known keys, each value cleaned (evidence may echo tag values). */
function evidenceLines(event: ReaperEvent): string[] {
  const e = event.evidence;
  const lines = [`Rule: ${event.rule ?? 'none'}`, `Reason: ${cleanText(event.reason, MAX_REASON) || '(none given)'}`];
  // Not read this pass: the last reading was busy, and no GPU rule could hold before the next one.
  const unread = e.telemetry === 'unread';
  if (unread) {
    const next = str(e.nextReadAt);
    lines.push(
      `GPU utilization: busy at its last reading; not read this pass${next ? ` (next read ${formatUtc(next)})` : ''}`,
    );
  }
  if (e.window && !unread) {
    const { from, to, minutes } = e.window;
    lines.push(`Window: ${formatUtc(from)} to ${formatUtc(to)} (${formatDuration(minutes * 60_000)})`);
  }
  const datapoints = num(e.datapoints);
  const coverage = num(e.coverage);
  if (!unread && (datapoints !== undefined || coverage !== undefined)) {
    const needs = num(e.minCoverage);
    const notes: string[] = [];
    // The reason's own formatters, so the evidence and the reason never round the same number two ways.
    if (coverage !== undefined) notes.push(`coverage ${share(coverage)}`);
    if (needs !== undefined) notes.push(`at least ${share(needs)} needed`);
    lines.push(`Datapoints: ${datapoints ?? 'unknown'}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`);
  }
  if (!unread && ('maxUtilization' in e || e.threshold !== undefined)) {
    const max = num(e.maxUtilization);
    const threshold = num(e.threshold);
    const limit = threshold === undefined ? '' : ` (threshold ${percent(threshold)})`;
    lines.push(`Max GPU utilization: ${max === undefined ? 'no data' : percent(max)}${limit}`);
  }
  // An owner's answer reads no telemetry: "not read", never the "missing" of an instance that sends none.
  const telemetry =
    e.telemetryRead === false
      ? 'not read for this event (the owner answered a message)'
      : `${cleanText(e.telemetry, 16)}${e.telemetrySource ? `, ${cleanText(e.telemetrySource, 24)}` : ''}`;
  lines.push(`GPUs: ${num(e.gpuCount) ?? 'unknown'} (${cleanText(e.gpuSource, 24)}); telemetry: ${telemetry}`);
  const host = hostLine(e);
  if (host !== null) lines.push(host);
  const ran = num(e.runningForMinutes);
  const running = ran === undefined ? '' : ` (running for ${formatDuration(ran * 60_000)})`;
  if (str(e.launchTime)) lines.push(`Launched: ${formatUtc(e.launchTime)}${running}`);
  const maxRuntime = str(e.maxRuntime);
  const deadline = str(e.deadline);
  if (maxRuntime || deadline) {
    const until = deadline ? ` (deadline ${formatUtc(deadline)})` : '';
    lines.push(`Max runtime: ${maxRuntime ? cleanText(maxRuntime, 32) : 'unknown'}${until}`);
  }
  if (str(e.expiresAt)) lines.push(`Expires at: ${formatUtc(e.expiresAt as string)}`);
  if (str(e.snoozeUntil)) lines.push(`Snoozed until: ${formatUtc(e.snoozeUntil as string)}`);
  if ('projectedUsd' in e) {
    const threshold = num(e.approvalThresholdUsd);
    const limit =
      e.overBudget === true
        ? '; its team is over budget, so every run needs approval'
        : threshold === undefined
          ? ''
          : `; approval threshold ${formatUsd(threshold)}`;
    lines.push(`Projected cost: ${projectedText(e, event.hourlyUsd)}${limit}`);
  }
  if (str(e.approvedUntil)) lines.push(`Approved until: ${formatUtc(e.approvedUntil as string)}`);
  return lines;
}

export { evidenceLines, ruleWhy };
