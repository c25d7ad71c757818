/**
 * The owner-action Lambda, behind a Function URL: an owner opens a link from a WARNED message (GET: a confirmation
 * page, nothing changes) and presses its button (POST: keep it or stop it now, once per link). The chat's "Keep"
 * button (an AWS Chatbot custom action) invokes it directly with `{ "keepToken": "…" }`, the token of the message's
 * keep link: that is the page's POST, with the same checks. Reads like the others: load config → build adapters →
 * answer → log. Env: `GPU_REAPER_CONFIG`, `GPU_REAPER_TABLE`, `GPU_REAPER_TOPIC_ARN`, `GPU_REAPER_CHAT_TOPIC_ARN`,
 * `GPU_REAPER_LINK_KEY_ID` (see shared/config/env-names.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { configFromEnvironment, EnvName, ReaperMetrics, requiredEnv } from '../shared/config';
import { composeOwnerActions } from '../shared/owner-actions/compose';
import { handleOwnerRequest, type OwnerActionDeps, type OwnerRequest } from '../shared/owner-actions/handle-request';

const logger = new Logger({ serviceName: `${ReaperMetrics.service}-owner-action` });

let deps: OwnerActionDeps | undefined;

/**
 * The account of this function (`arn:aws:lambda:<region>:<account>:function:<name>`). One account: tokens must name
 * it. With `accounts` (the hub): its tokens act with this function's role, a member account's through its spoke role.
 */
const accountOf = (context?: Context) => context?.invokedFunctionArn?.split(':')[4] ?? null;

/** The chat button's invoke: the keep link's token, from the notification's `additionalContext`. */
interface ChatKeepEvent {
  readonly keepToken: string;
}

/** What the chat shows after the button: the status and the page's words, without the markup. */
interface ChatKeepResult {
  readonly status: number;
  readonly message: string;
}

const isChatKeep = (event: unknown): event is ChatKeepEvent =>
  typeof event === 'object' &&
  event !== null &&
  !('requestContext' in event) &&
  typeof (event as { keepToken?: unknown }).keepToken === 'string';

/** The page's title and text as one line (Chatbot prints the function's answer as it is). */
function pageWords(html: string): string {
  const main = /<main>([\s\S]*?)<footer>/.exec(html)?.[1] ?? html;
  const text = main
    .replace(/<\/(h1|p|dd|li)>/g, '. ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
  return text
    .replace(/\s+/g, ' ')
    .replace(/(\. )+/g, '. ')
    .trim()
    .slice(0, 1_000);
}

/** The request a Function URL event or a chat button stands for. */
function requestOf(event: LambdaFunctionURLEvent | ChatKeepEvent): OwnerRequest {
  if (isChatKeep(event)) {
    return {
      method: 'POST',
      query: new URLSearchParams(),
      body: new URLSearchParams({ t: event.keepToken }).toString(),
    };
  }
  const raw = event.body ?? null;
  const body = raw !== null && event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return { method: event.requestContext.http.method, query: new URLSearchParams(event.rawQueryString ?? ''), body };
}

/** Answers one Function URL request with an HTML page, or one chat button with the page's words. */
export const handler = async (
  event: LambdaFunctionURLEvent | ChatKeepEvent,
  context?: Context,
): Promise<LambdaFunctionURLResult | ChatKeepResult> => {
  const config = configFromEnvironment((error) => logger.error('invalid configuration', { error }));
  const table = process.env[EnvName.Table] ?? config.auditTable;
  if (!table) throw new Error(`no table: set ${EnvName.Table} or auditTable`);
  deps ??= composeOwnerActions({
    config,
    homeRegion: requiredEnv('AWS_REGION'),
    table,
    topicArn: process.env[EnvName.TopicArn] ?? config.topicArn,
    chatTopicArn: process.env[EnvName.ChatTopicArn] ?? null,
    keyId: requiredEnv(EnvName.LinkKeyId),
    accountId: accountOf(context),
    log: {
      info: (message, attributes = {}) => logger.info(message, attributes),
      warn: (message, attributes = {}) => logger.warn(message, attributes),
      error: (message, attributes = {}) => logger.error(message, attributes),
    },
  });
  logger.appendKeys({ requestId: context?.awsRequestId, via: isChatKeep(event) ? 'chat' : 'url' });
  const response = await handleOwnerRequest(requestOf(event), deps);
  if (isChatKeep(event)) return { status: response.status, message: pageWords(response.body) };
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
};
