/**
 * One reaper event as a notification: an SNS subject, plain text for people (email, `default`), and JSON for
 * machines. Pure: no SDK, no clock (the time comes in as `now`).
 */

import type { ReaperEvent } from '../../core/events';
import type { Action } from '../../engine/types';
import { idleSentence } from '../text/idle-cost';
import { formatHourlyUsd, formatUsd, runningCostUsd } from '../text/money';
import { asciiLine, cleanText } from '../text/untrusted-text';
import { formatShortUtc, formatUtc, relativeTo } from '../text/utc-time';
import { eventJson } from './event-json';
import { approvedHeadline, approverHeadline, budgetHeadline, ownerGateAdvice, projectedText } from './gating-notice';
import { hostBusy, hostBusyAdvice, hostBusyCost, hostBusyHeadline } from './host-notice';
import { renderApproval, renderKeepIt, renderOwnerLinks } from './keep-it';
import { evidenceLines, ruleWhy } from './notification-evidence';
import { renderTelemetryHelp } from './telemetry-help';

/** SNS rejects a `Subject` of more than 100 characters. */
const SUBJECT_MAX = 100;
const DRY_RUN_BANNER = '[DRY RUN] The reaper runs in dry-run mode: nothing was stopped or terminated.';

/** What {@link renderNotification} returns. */
interface RenderedNotification {
  /** Printable ASCII, one line, at most 100 characters, starting `[gpu-reaper]` (`[gpu-reaper][DRY RUN]`). */
  readonly subject: string;
  /** Plain readable text for the `default` and `email` variants. */
  readonly text: string;
  /** Every field of the event, evidence bounded in size, for the `sqs`, `lambda` and `https` variants. */
  readonly json: ReaperEvent;
}

/** Owner-facing identity of the instance, cleaned once: ids and types come from AWS, the owner from a tag. */
interface Who {
  readonly id: string;
  readonly type: string;
  readonly region: string;
  readonly owner: string;
  readonly prefix: string;
}

function who(event: ReaperEvent): Who {
  return {
    id: cleanText(event.instanceId, 64),
    type: cleanText(event.instanceType, 48),
    region: cleanText(event.region, 32),
    owner: event.owner === null ? 'unknown (no owner tag)' : cleanText(event.owner, 200) || 'unknown',
    prefix: cleanText(event.tagPrefix, 64),
  };
}

/** Whether the stop hibernates the instance (set up for hibernation, `actions.hibernate` on): its memory is kept. */
function hibernating(event: ReaperEvent): boolean {
  return event.action === 'stop' && event.evidence.hibernate === true;
}

/** What hibernation means for the owner, after the headline. */
const HIBERNATION_NOTE =
  'It is set up for hibernation: its memory (running processes, notebook kernels) is saved to its EBS root volume and restored when it is started again.';

function past(action: Action | null, hibernate = false): string {
  if (action === 'terminate') return 'terminated';
  if (action === 'notify') return 'reported';
  return hibernate ? 'hibernated' : 'stopped';
}

/** The end of a snooze, as the event's evidence gives it. */
function snoozeEnd(event: ReaperEvent): string | null {
  return typeof event.evidence.snoozeUntil === 'string' ? event.evidence.snoozeUntil : null;
}

function subjectDetail(event: ReaperEvent, now: Date): string {
  const rule = event.rule ?? 'none';
  const hibernate = hibernating(event);
  const verb = hibernate ? 'hibernate' : (event.action ?? 'stop');
  switch (event.event) {
    case 'WARNED': {
      const at = event.actAt ? `at ${formatShortUtc(event.actAt, now)}` : 'soon';
      if (event.audience === 'approvers')
        return `approval needed, ${projectedText(event.evidence, event.hourlyUsd).split(' (')[0]} - ${verb} ${at}`;
      return `${rule === 'unapproved' ? 'needs approval' : rule} - ${verb} ${at}`;
    }
    case 'APPROVED': {
      const until = typeof event.evidence.approvedUntil === 'string' ? event.evidence.approvedUntil : null;
      return `approved until ${until ? formatShortUtc(until, now) : 'later'}`;
    }
    case 'STOPPED':
      return `${rule} - ${hibernate ? 'hibernated' : 'stopped'}`;
    case 'TERMINATED':
      return `${rule} - terminated`;
    case 'WOULD_STOP':
    case 'WOULD_TERMINATE':
      return `${rule} - would ${event.event === 'WOULD_STOP' ? (hibernate ? 'hibernate' : 'stop') : 'terminate'}, nothing done`;
    case 'CLEARED':
      return `${rule} warning withdrawn`;
    case 'SKIPPED':
      return rule === 'protected' ? `protected - could not ${verb}` : `skipped (${rule})`;
    case 'NOTIFIED':
      if (rule === 'no-telemetry') return 'no GPU telemetry';
      if (rule === 'budget') {
        const team = asciiLine(String(event.evidence.team ?? ''), 40);
        const share = typeof event.evidence.share === 'number' ? Math.round(event.evidence.share * 100) : null;
        return event.evidence.budgetLevel === 'over'
          ? `team ${team} over its GPU budget`
          : `team ${team} at ${share ?? '?'}% of its GPU budget`;
      }
      return rule === 'gpu-idle-host-busy' ? 'GPUs unused, host busy - a CPU job?' : `${rule} - notice`;
    case 'SNOOZED':
      return `snoozed until ${snoozeEnd(event) ? formatShortUtc(snoozeEnd(event)!, now) : 'later'}`;
    default:
      return `${event.action ?? 'action'} failed${event.rule ? ` (${event.rule})` : ''}`;
  }
}

/** The subject; drops the instance type, then cuts, when the whole does not fit in 100 characters. */
function renderSubject(event: ReaperEvent, now: Date): string {
  const prefix = event.mode === 'dry-run' ? '[gpu-reaper][DRY RUN]' : '[gpu-reaper]';
  const id = asciiLine(event.instanceId, 40);
  const detail = subjectDetail(event, now);
  const full = asciiLine(`${prefix} ${event.event} ${id} (${event.instanceType}): ${detail}`, 1_000);
  if (full.length <= SUBJECT_MAX) return full;
  return asciiLine(`${prefix} ${event.event} ${id}: ${detail}`, SUBJECT_MAX);
}

/** The opening sentence: what happened or will happen, in the event's own words. */
function headline(event: ReaperEvent, w: Who, now: Date): string {
  const it = `GPU instance ${w.id} (${w.type}) in ${w.region}`;
  const why = ruleWhy(event.rule, event.evidence, w.prefix);
  const hibernate = hibernating(event);
  const done = past(event.action, hibernate);
  const due = event.actAt ? `${formatUtc(event.actAt)} (${relativeTo(event.actAt, now)})` : 'the next pass';
  const dry = event.mode === 'dry-run';
  const note = hibernate ? ` ${HIBERNATION_NOTE}` : '';
  switch (event.event) {
    case 'WARNED':
      if (event.audience === 'approvers') {
        return `${approverHeadline(event, it, due)}${dry ? ` Dry run: it will not really be ${done}.` : ''}`;
      }
      return `${it} will be ${done} at ${due} because ${why}.${note}${dry ? ` Dry run: it will not really be ${done}.` : ''}`;
    case 'APPROVED':
      return approvedHeadline(event, it);
    case 'STOPPED':
      return `${it} was ${hibernate ? 'hibernated' : 'stopped'} at ${formatUtc(event.at)} because ${why}.${note}`;
    case 'TERMINATED':
      // The event name, not the planned action, says what was done (a stop may have become a terminate).
      return `${it} was terminated at ${formatUtc(event.at)} because ${why}.`;
    case 'WOULD_STOP':
    case 'WOULD_TERMINATE': {
      const stopVerb = hibernate ? 'hibernated' : 'stopped';
      const verb = event.event === 'WOULD_STOP' ? stopVerb : 'terminated';
      return `Dry run: ${it} would have been ${verb} at ${formatUtc(event.at)} because ${why}. Nothing was ${verb}.${event.event === 'WOULD_STOP' ? note : ''}`;
    }
    case 'CLEARED': {
      // A host that started working during the grace is the news: the GPUs wait for it, so nothing is done.
      const working = hostBusy(event.evidence) ? 'its host is working, so ' : '';
      return `The warning for ${it} is withdrawn: ${working}it will not be ${done}${event.actAt ? ` at ${formatUtc(event.actAt)}` : ''}. Why: ${cleanText(event.reason, 300)}.`;
    }
    case 'SKIPPED':
      if (event.rule === 'protected') {
        const which =
          event.action === 'terminate' ? 'termination' : event.action === 'stop' ? 'stop' : 'stop/termination';
        return `The reaper could not act on ${it}: ${which} protection is on, so it was not ${done}.`;
      }
      if (event.rule === 'capped')
        return `${it} was not ${done} in this pass because ${why}; the next pass reconsiders it.`;
      return `${it} was skipped because ${why}.`;
    case 'SNOOZED': {
      const until = snoozeEnd(event);
      const by = event.by === 'owner' ? 'at your request' : 'by its snooze-until tag';
      return `${it} is snoozed ${by} until ${until ? formatUtc(until) : 'later'}: until then it is not stopped for being idle, never used or without telemetry (its max runtime and expiry still apply).`;
    }
    case 'NOTIFIED':
      if (event.rule === 'no-telemetry') return `${it} ${why.replace(/^it /, '')}. Nothing is done to it for that.`;
      if (event.rule === 'gpu-idle-host-busy') return hostBusyHeadline(event, it);
      if (event.rule === 'budget') return budgetHeadline(event);
      return `Notice about ${it}: ${why}. The reaper only tells you; it takes no action on it.`;
    default:
      return `The reaper failed to ${event.action ?? 'act on'} ${it}${event.rule ? ` (rule ${event.rule})` : ''}: ${cleanText(event.reason, 300)}. The next pass tries again if the rule still holds.`;
  }
}

function whenLines(event: ReaperEvent, now: Date): string[] {
  const at = `${formatUtc(event.at)} (${relativeTo(event.at, now)})`;
  const due = event.actAt ? `${formatUtc(event.actAt)} (${relativeTo(event.actAt, now)})` : null;
  switch (event.event) {
    case 'WARNED':
      return [`Planned ${event.action ?? 'action'}: ${due ?? 'next pass'}`, `Warned at: ${at}`];
    case 'STOPPED':
    case 'TERMINATED':
      return [`Done at: ${at}`];
    case 'WOULD_STOP':
    case 'WOULD_TERMINATE':
      return [`Would have acted: ${at}, dry run: nothing done`];
    case 'CLEARED':
      return [`Withdrawn at: ${at}`, ...(due ? [`Cancelled ${event.action ?? 'action'}: ${due}`] : [])];
    default:
      return [`At: ${at}`, ...(due ? [`Action was due: ${due}`] : [])];
  }
}

function costLines(event: ReaperEvent): string[] {
  const minutes = event.evidence.runningForMinutes;
  const cost = runningCostUsd(minutes, event.hourlyUsd);
  const hours = typeof minutes === 'number' ? (minutes / 60).toFixed(1) : '?';
  // The CPU-job notice says what the unused GPUs cost while the host worked, not "idle".
  const idle = event.rule === 'gpu-idle-host-busy' ? hostBusyCost(event) : idleSentence(event.evidence);
  if (cost === null || event.hourlyUsd === null) {
    return [
      `Price unknown for ${cleanText(event.instanceType, 48)}; running for ${hours} h since its last start.`,
      idle,
    ];
  }
  const lines = [
    `About ${formatUsd(cost)} since its last start: ${hours} h at ${formatHourlyUsd(event.hourlyUsd)} (on-demand price; Spot, Savings Plans or reservations may cost less).`,
    idle,
  ];
  const untilAction = event.actAt ? Date.parse(event.actAt) - Date.parse(event.at) : Number.NaN;
  if (event.event === 'WARNED' && untilAction > 0) {
    lines.push(
      `Running until the planned ${event.action ?? 'action'} adds about ${formatUsd((untilAction / 3_600_000) * event.hourlyUsd)}.`,
    );
  }
  return lines;
}

function section(title: string, lines: readonly string[]): string {
  return [title, ...lines.map((line) => `  ${line}`)].join('\n');
}

/**
 * The closing section: how to keep the instance; for the gate, how to approve it (approvers) or how an owner gets
 * it approved (never an opt-out, which does not hold the gate); none for an approval or a budget notice.
 */
function keepSections(event: ReaperEvent): string[] {
  if (event.rule === 'budget') return [];
  if (event.event === 'APPROVED') {
    const next = 'Nothing to do now. To run past the approval, ask an approver to approve it again before it ends.';
    return [section('What happens next', [next])];
  }
  if (event.rule === 'unapproved' && event.event === 'WARNED') {
    if (event.audience === 'approvers') return [section('How to approve it', renderApproval(event))];
    const stop = renderOwnerLinks(event, cleanText(event.instanceId, 64));
    return [section('How to keep it', [...ownerGateAdvice(event), ...stop])];
  }
  return [section('How to keep it', renderKeepIt(event))];
}

/**
 * Renders one reaper event as a notification: subject, plain text, and the event as JSON.
 *
 * @param now the clock used for "in 30m" / "2h ago"; defaults to the event's own time, which keeps this pure
 * @example renderNotification(event).subject // '[gpu-reaper] WARNED i-0abc (g5.12xlarge): idle - stop at 14:05 UTC'
 */
function renderNotification(event: ReaperEvent, now: Date = new Date(event.at)): RenderedNotification {
  const w = who(event);
  const what = [
    `Event: ${event.event} (mode ${event.mode})`,
    `Instance: ${w.id}`,
    `Type: ${w.type}`,
    `Region: ${w.region}`,
    `Account: ${event.accountId === null ? 'unknown' : cleanText(event.accountId, 32)}`,
    `Owner: ${w.owner}`,
  ];
  const parts = [
    ...(event.mode === 'dry-run' ? [DRY_RUN_BANNER] : []),
    headline(event, w, now),
    section('What', what),
    section('Why', evidenceLines(event)),
    section('When', whenLines(event, now)),
    section('Cost so far', costLines(event)),
    ...(event.rule === 'no-telemetry' ? [section('How to send GPU telemetry', renderTelemetryHelp(event))] : []),
    ...(event.rule === 'gpu-idle-host-busy' ? [section('What you can do', hostBusyAdvice())] : []),
    ...keepSections(event),
    `-- gpu-reaper | pass ${cleanText(event.passId, 64)} | config ${cleanText(event.configHash, 32)} | transition ${cleanText(event.transitionId, 128)}`,
  ];
  return { subject: renderSubject(event, now), text: `${parts.join('\n\n')}\n`, json: eventJson(event) };
}

/**
 * The notification's short form (chat): the subject and the opening sentence, with the dry-run banner first.
 *
 * @param now the clock for "in 30m"; defaults to the event's time
 */
function renderHeadline(event: ReaperEvent, now: Date = new Date(event.at)): { subject: string; sentence: string } {
  const sentence = headline(event, who(event), now);
  return {
    subject: renderSubject(event, now),
    sentence: event.mode === 'dry-run' ? `${DRY_RUN_BANNER} ${sentence}` : sentence,
  };
}

export type { RenderedNotification };
export { renderHeadline, renderNotification };
