/**
 * Host activity as a gate on the GPU rules: `never-used` and `idle` hold only on a host that is not busy over the
 * window they judged. A GPU at 0% on a host downloading a dataset or preprocessing is still setting up, not dead;
 * a quiet host keeps the GPU rules exactly as they are, and an unknown one (metrics missing or unreadable) leaves
 * them to judge alone: a failed host read never turns a keep into an act.
 */
import { classifyHost, describeHost, type HostEvidence } from '../host-activity';
import { hostWindowOf } from '../host-window';
import type { HostEvidenceOut } from '../types';
import type { ActingFinding, Rule, RuleContext } from './context';

/** The host over a window, with its evidence as decisions carry it. */
interface HostJudgement {
  readonly host: HostEvidence;
  readonly evidence: HostEvidenceOut;
}

/** Judges the context's host over `[from, to)`. */
function judgeHost(context: RuleContext, judged: { readonly from: string | Date; readonly to: string | Date }) {
  const window = hostWindowOf(judged);
  const { cpu, networkMiBPerMinute } = context.config.activity.host;
  const host = classifyHost(context.telemetry.host, window.from, window.to, { cpu, networkMiBPerMinute });
  const evidence: HostEvidenceOut = {
    state: host.state,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    periods: host.periods,
    reportedPeriods: host.reportedPeriods,
    busyPeriods: host.busyPeriods,
    cpuMax: host.cpuMax,
    networkMiBPerMinuteMax: host.networkMiBPerMinuteMax,
    period: host.period,
    ...(host.unknownBecause === undefined ? {} : { unknownBecause: host.unknownBecause }),
  };
  return { host, evidence } satisfies HostJudgement;
}

/** The window a GPU finding judged: its evidence's, else the idle window. */
function judgedWindow(finding: ActingFinding, context: RuleContext) {
  return finding.evidence.window ?? { from: context.windowEnd, to: context.windowEnd };
}

/**
 * The host a GPU finding is judged on: over the window the finding judged, or over its last `warning.grace` when
 * the host is busy there. A host that started working within a warning's grace (a download begun after a quiet
 * setup, preprocessing after an idle hour) is working now, however quiet the earlier part of the window was.
 */
function judgeFinding(context: RuleContext, finding: ActingFinding): HostJudgement {
  const judged = judgedWindow(finding, context);
  const whole = judgeHost(context, judged);
  const graceMs = context.policy.graceMs;
  if (whole.host.state === 'busy' || graceMs <= 0) return whole;
  const to = new Date(judged.to);
  const from = new Date(Math.max(new Date(judged.from).getTime(), to.getTime() - graceMs));
  const recent = judgeHost(context, { from, to });
  return recent.host.state === 'busy' ? recent : whole;
}

/**
 * A GPU rule that holds only on a host that is not busy (over its window, or over the last grace of it). On a quiet
 * or unknown host the finding stands, its reason saying what the host showed; on a busy host it does not hold
 * (evaluation goes on, and the keep names the host).
 */
function onQuietHost(rule: Rule): Rule {
  return (context) => {
    const finding = rule(context);
    if (finding === null || finding.verdict !== 'act' || !context.config.activity.host.enabled) return finding;
    const { host, evidence } = judgeFinding(context, finding);
    if (host.state === 'busy') return null;
    const note = host.state === 'quiet' ? `host quiet (${describeHost(host)})` : describeHost(host);
    return { ...finding, reason: `${finding.reason}; ${note}`, evidence: { ...finding.evidence, host: evidence } };
  };
}

/** A GPU rule's finding held back by a busy host: the finding and the host over its window. */
interface HeldByHost {
  readonly finding: ActingFinding;
  readonly judgement: HostJudgement;
}

/** The first of `rules` (GPU judgement alone) whose finding a busy host holds back, or `null`. */
function heldByHost(context: RuleContext, rules: readonly Rule[]): HeldByHost | null {
  if (!context.config.activity.host.enabled) return null;
  for (const rule of rules) {
    const finding = rule(context);
    if (finding === null || finding.verdict !== 'act') continue;
    const judgement = judgeFinding(context, finding);
    if (judgement.host.state === 'busy') return { finding, judgement };
  }
  return null;
}

export type { HeldByHost, HostJudgement };
export { heldByHost, judgeHost, onQuietHost };
