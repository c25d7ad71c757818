/**
 * The "how to keep it" part of a notification: which tag the owner sets, with the prefix in force, and the exact
 * AWS CLI command that sets it, so keeping an instance is one copy-paste.
 */
import type { ReaperEvent } from '../../core/events';
import { cleanText } from '../text/untrusted-text';
import { formatUtc, isoAfter } from '../text/utc-time';

const HOUR_MS = 3_600_000;
/** Suggested snooze/expiry extension; snoozes are capped by `snooze.ceiling` (24h by default) anyway. */
const EXTENSION_MS = 24 * HOUR_MS;
/** Runtime suggested for max-runtime, unless the instance ran so long already that it would leave under 12h. */
const SUGGESTED_RUNTIME_HOURS = 36;

/** One tag that keeps the instance, and why it helps. */
interface KeepOption {
  readonly label: string;
  readonly key: string;
  readonly value: string;
}

/** Quotes a shell word only when it needs it, so the common command stays readable. */
function shellWord(word: string): string {
  return /^[\w:./@+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The AWS CLI command that sets one tag on one instance.
 *
 * @example createTagsCommand('i-0abc', 'gpu-reaper:opt-out', 'true', 'us-east-1')
 * // aws ec2 create-tags --resources i-0abc --tags Key=gpu-reaper:opt-out,Value=true --region us-east-1
 */
function createTagsCommand(instanceId: string, key: string, value: string, region: string): string {
  return [
    'aws ec2 create-tags --resources',
    shellWord(instanceId),
    '--tags',
    shellWord(`Key=${key},Value=${value}`),
    '--region',
    shellWord(region),
  ].join(' ');
}

/** The tags that would keep this instance from the event's rule, opt-out always first. */
function keepOptions(event: ReaperEvent): KeepOption[] {
  const prefix = cleanText(event.tagPrefix, 64);
  const options: KeepOption[] = [
    { label: 'Keep it for good (never warned or acted on)', key: `${prefix}opt-out`, value: 'true' },
  ];
  switch (event.rule) {
    case 'idle':
    case 'never-used':
    case 'no-telemetry':
    case 'snoozed': {
      const until = isoAfter(event.at, EXTENSION_MS);
      const label = 'Or snooze it (capped at the configured snooze ceiling, 24h by default)';
      options.push({ label, key: `${prefix}snooze-until`, value: until });
      break;
    }
    case 'max-runtime':
    // A CPU job on a GPU instance is never stopped for that, but its max runtime still applies.
    case 'gpu-idle-host-busy': {
      // A suggestion shorter than what the instance already ran would not keep it, so go past that.
      const ranHours = Math.ceil((event.evidence.runningForMinutes ?? 0) / 60);
      const hours =
        ranHours + 12 <= SUGGESTED_RUNTIME_HOURS ? SUGGESTED_RUNTIME_HOURS : Math.ceil((ranHours + 24) / 12) * 12;
      const label =
        'Or give it a longer runtime since its last start (capped at the configured ceiling, 7d by default)';
      options.push({ label, key: `${prefix}max-runtime`, value: `${hours}h` });
      break;
    }
    case 'expired':
      options.push({
        label: 'Or move its expiry later',
        key: `${prefix}expires-at`,
        value: isoAfter(event.at, EXTENSION_MS),
      });
      break;
    default:
      break;
  }
  return options;
}

/** What to tell the owner before the options, by event: the instance may be running, stopped, gone, or safe. */
function keepIntro(event: ReaperEvent, instanceId: string, region: string): string[] {
  switch (event.event) {
    case 'STOPPED':
      return [
        event.evidence.hibernate === true
          ? 'It is hibernated, not deleted: starting it again restores its memory. Start it with:'
          : 'It is stopped, not deleted. Start it again with:',
        `    aws ec2 start-instances --instance-ids ${shellWord(instanceId)} --region ${shellWord(region)}`,
        'Set one of these tags first so it is not stopped again:',
      ];
    case 'TERMINATED':
      return ['Termination cannot be undone. To keep the next instance, launch it with one of these tags:'];
    case 'WOULD_STOP':
    case 'WOULD_TERMINATE':
      return ['To keep it once the reaper enforces, set one of these tags:'];
    case 'CLEARED':
      return ['Nothing to do now. To never be warned about it, set:'];
    case 'SNOOZED':
      return ['Nothing to do now. To keep it beyond the snooze, set:'];
    case 'SKIPPED':
      return ['To stop these notices about it, set:'];
    case 'NOTIFIED':
      return event.rule === 'gpu-idle-host-busy'
        ? ['Nothing is stopped for this. To give a long job more time, or to keep it for good, set one of these tags:']
        : ['To keep it running, set one of these tags:'];
    default:
      return ['To keep it running, set one of these tags:'];
  }
}

/**
 * The "how to keep it" lines of a notification: an intro fitting the event, then each tag with its CLI command.
 * CLEARED and SKIPPED offer only opt-out: nothing is pending for a snooze or a longer runtime to defer.
 */
function renderKeepIt(event: ReaperEvent): string[] {
  const instanceId = cleanText(event.instanceId, 64);
  const region = cleanText(event.region, 32);
  const all = keepOptions(event);
  const options = event.event === 'CLEARED' || event.event === 'SKIPPED' ? all.slice(0, 1) : all;
  const links = renderOwnerLinks(event, instanceId);
  const lines = links.length > 0 ? [...links, 'Or set one of these tags:'] : keepIntro(event, instanceId, region);
  for (const option of options) {
    lines.push(`  ${option.label}: ${option.key}=${option.value}`);
    lines.push(`    ${createTagsCommand(instanceId, option.key, option.value, region)}`);
  }
  return lines;
}

/**
 * The one-click answers of a WARNED message that carries signed links: each names the instance and what it does
 * to the planned action, then its URL on a line of its own (mail clients wrap long lines; a URL alone survives).
 */
function renderOwnerLinks(event: ReaperEvent, instanceId: string): string[] {
  const links = event.event === 'WARNED' ? (event.links ?? []) : [];
  if (links.length === 0) return [];
  const planned = `the planned ${event.action ?? 'action'}${event.actAt ? ` at ${formatUtc(event.actAt)}` : ''}`;
  const lines = ['Answer in one click (a page opens to confirm; nothing changes until you press its button):'];
  for (const link of links) {
    const what =
      link.action === 'stop'
        ? `instead of ${planned}`
        : link.action.startsWith('approve:')
          ? `and withdraw ${planned}; it may run ${link.action.slice('approve:'.length)} from your click (its deadline)`
          : `and withdraw ${planned}`;
    lines.push(`  ${cleanText(link.label, 40)}: ${instanceId}, ${what}`);
    lines.push(`    ${cleanText(link.url, 2_048)}`);
  }
  return lines;
}

/**
 * The approvers' copy's "how to approve it": the approve links (when signed), then the tag an approver may write by
 * hand, with its command (24h from now, as an example; capped at the max-runtime ceiling from when the reaper sees it).
 */
function renderApproval(event: ReaperEvent): string[] {
  const instanceId = cleanText(event.instanceId, 64);
  const region = cleanText(event.region, 32);
  const key = `${cleanText(event.tagPrefix, 64)}approved-until`;
  const until = isoAfter(event.at, EXTENSION_MS);
  const links = renderOwnerLinks(event, instanceId);
  return [
    ...links,
    `${links.length > 0 ? 'Or approve' : 'Approve'} it by hand (your role needs the gpu-reaper approvers' policy): set ${key} to the instant it may run until:`,
    `    ${createTagsCommand(instanceId, key, until, region)}`,
    `Not approving is an answer too: it is ${event.action === 'terminate' ? 'terminated' : 'stopped'} at the planned time, and its owner is told.`,
  ];
}

export type { KeepOption };
export { createTagsCommand, keepOptions, renderApproval, renderKeepIt, renderOwnerLinks };
