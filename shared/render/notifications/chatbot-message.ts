/**
 * A reaper event as an AWS Chatbot (Amazon Q Developer in chat applications) custom notification: the JSON that
 * Chatbot renders in Slack when it arrives on a chat topic (`version "1.0"`, `source "custom"`). One thread per
 * instance (`metadata.threadId`), so its warning, keep and stop follow each other. `additionalContext` carries the
 * instance, account and region, and for a WARNED event with a keep link the token of the shortest keep: the
 * "Keep" button (a Chatbot custom action) reads it from there and hands it to the owner-action Lambda, which checks
 * it like a link's. Pure: no SDK, no clock (the time comes in as `now`).
 */
import type { ReaperEvent } from '../../core/events';
import { cleanText, truncate } from '../text/untrusted-text';
import { renderHeadline } from './notification';

/** The custom notification document (docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html). */
interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  /** The transition's id: a message published twice (a retried publish) is the same notification. */
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

/** Lengths kept well inside what Chatbot shows: a title on one line, a description of a few sentences. */
const TITLE_MAX = 250;
const DESCRIPTION_MAX = 3_000;
const STEP_MAX = 500;

/**
 * Slack's markdown escapes: owner tags are untrusted and `<https://evil|Keep it>` in one must not become a link.
 * (docs.slack.dev: "escape &, < and >"; nothing else is special inside text.)
 */
function slackText(value: string, max: number): string {
  return truncate(
    cleanText(value, max * 2)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;'),
    max,
  );
}

/** The conversation of one instance: every event about it answers in the same thread. */
function threadId(event: ReaperEvent): string {
  const part = (value: string | null) => (value ?? 'self').replace(/[^A-Za-z0-9-]/g, '-').slice(0, 64);
  return `gpu-reaper-${part(event.accountId)}-${part(event.region)}-${part(event.instanceId)}`;
}

/** The token of the shortest keep link (links list keeps first, shortest first), for the "Keep" button. */
function keepToken(event: ReaperEvent): string | null {
  const keep = (event.links ?? []).find((link) => link.action.startsWith('keep:'));
  if (!keep) return null;
  try {
    return new URL(keep.url).searchParams.get('t');
  } catch {
    return null;
  }
}

/** The next steps: the signed links as Slack links, else the tag that keeps it. */
function nextSteps(event: ReaperEvent): string[] {
  const links = event.event === 'WARNED' ? (event.links ?? []) : [];
  if (links.length > 0) {
    // Link URLs are ours (the endpoint's URL and a base64url token): only the label is escaped.
    return links.slice(0, 5).map((link) => `<${link.url}|${slackText(link.label, 40)}> (a page opens to confirm)`);
  }
  if (event.event !== 'WARNED') return [];
  const prefix = slackText(event.tagPrefix, 64);
  return [
    truncate(
      `Keep it for good: tag it \`${prefix}opt-out=true\`; or snooze it: \`${prefix}snooze-until=<ISO time>\``,
      STEP_MAX,
    ),
  ];
}

/**
 * The Chatbot custom notification of one event.
 *
 * @param now the clock for "in 30m"; defaults to the event's time
 * @example chatbotMessage(warned).metadata.additionalContext.instanceId // 'i-0abc'
 */
function chatbotMessage(event: ReaperEvent, now: Date = new Date(event.at)): ChatbotNotification {
  const { subject, sentence } = renderHeadline(event, now);
  const owner = event.owner === null ? 'unknown (no owner tag)' : slackText(event.owner, 200);
  const token = event.event === 'WARNED' ? keepToken(event) : null;
  const context: Record<string, string> = {
    instanceId: cleanText(event.instanceId, 64),
    accountId: event.accountId === null ? 'unknown' : cleanText(event.accountId, 32),
    region: cleanText(event.region, 32),
    event: event.event,
    rule: event.rule ?? 'none',
    mode: event.mode,
    ...(event.actAt ? { actAt: event.actAt } : {}),
    ...(token ? { keepToken: token } : {}),
  };
  return {
    version: '1.0',
    source: 'custom',
    id: cleanText(event.transitionId, 128),
    content: {
      textType: 'client-markdown',
      title: truncate(subject, TITLE_MAX),
      description: truncate(`${slackText(sentence, DESCRIPTION_MAX)}\nOwner: ${owner}`, DESCRIPTION_MAX),
      nextSteps: nextSteps(event),
      keywords: [event.event, event.rule ?? 'none', event.mode],
    },
    metadata: {
      threadId: threadId(event),
      summary: truncate(subject, TITLE_MAX),
      eventType: `gpu-reaper-${event.event}`,
      relatedResources: [context.instanceId ?? ''],
      additionalContext: context,
    },
  };
}

export type { ChatbotNotification };
export { chatbotMessage };
