/**
 * The owner-action Lambda, behind a Function URL: an owner opens a link from a WARNED message (GET: a confirmation
 * page, nothing changes) and presses its button (POST: keep it or stop it now, once per link). Reads like the
 * others: load config → build adapters → answer → log. Env: `GPU_REAPER_CONFIG`, `GPU_REAPER_TABLE`,
 * `GPU_REAPER_TOPIC_ARN`, `GPU_REAPER_LINK_KEY_ID` (see shared/config/env-names.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { type Config, EnvName, loadConfigText, ReaperMetrics } from '../shared/config';
import { composeOwnerActions } from '../shared/owner-actions/compose';
import { handleOwnerRequest, type OwnerActionDeps } from '../shared/owner-actions/handle-request';

const logger = new Logger({ serviceName: `${ReaperMetrics.service}-owner-action` });

// Validated once per cold start, like the reaper's: a bad config fails fast with the key path in the log.
let config: Config | undefined;
let deps: OwnerActionDeps | undefined;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** The account of this function (`arn:aws:lambda:<region>:<account>:function:<name>`): tokens must name it. */
const accountOf = (context?: Context) => context?.invokedFunctionArn?.split(':')[4] ?? null;

/** Answers one Function URL request with an HTML page. */
export const handler = async (event: LambdaFunctionURLEvent, context?: Context): Promise<LambdaFunctionURLResult> => {
  try {
    config ??= loadConfigText(process.env[EnvName.Config], EnvName.Config);
  } catch (error) {
    logger.error('invalid configuration', { error: (error as Error).message });
    throw error;
  }
  const table = process.env[EnvName.Table] ?? config.auditTable;
  if (!table) throw new Error(`no table: set ${EnvName.Table} or auditTable`);
  deps ??= composeOwnerActions({
    config,
    homeRegion: required('AWS_REGION'),
    table,
    topicArn: process.env[EnvName.TopicArn] ?? config.topicArn,
    keyId: required(EnvName.LinkKeyId),
    accountId: accountOf(context),
    log: {
      info: (message, attributes = {}) => logger.info(message, attributes),
      warn: (message, attributes = {}) => logger.warn(message, attributes),
      error: (message, attributes = {}) => logger.error(message, attributes),
    },
  });
  logger.appendKeys({ requestId: context?.awsRequestId });
  const raw = event.body ?? null;
  const body = raw !== null && event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const response = await handleOwnerRequest(
    { method: event.requestContext.http.method, query: new URLSearchParams(event.rawQueryString ?? ''), body },
    deps,
  );
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body };
};
