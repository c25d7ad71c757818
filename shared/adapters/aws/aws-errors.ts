/**
 * Turning SDK failures into the project's `AwsError`, so the CLI can map them to exit codes and the handler can
 * decide retry vs failure without knowing SDK error shapes.
 */
import { AwsError, ErrorCode } from '../../errors';

/** Socket-level codes Node and the SDK's HTTP handler put on `error.code` when no answer came back. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** Error names of a request that timed out or was cut off before an answer. */
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);

/** Service codes meaning "who you are was refused": bad, expired or missing credentials, or not allowed. */
const CREDENTIAL_CODES = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'AuthFailure',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  // EC2's name for an IAM denial.
  'UnauthorizedOperation',
]);

/** Service codes that mean "slow down" (every service spells it differently). */
const THROTTLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
]);

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly Code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
  /** Set by the SDK on service exceptions; absent when the answer could not be read at all. */
  readonly $fault?: unknown;
  readonly $response?: { readonly statusCode?: number };
}

/** HTTP statuses of a request refused for who sent it. */
const REFUSED_STATUSES = new Set([401, 403]);

/** The SDK's advice to read a hidden field (`$response`), which a person reading one line cannot follow. */
const DESERIALIZATION_HINT =
  /\s*Deserialization error: to see the raw response, inspect the hidden field \S+ on this object\.?/;

function asErrorLike(error: unknown): ErrorLike {
  return error !== null && typeof error === 'object' ? (error as ErrorLike) : {};
}

/**
 * The service's error code (`InvalidInstanceType`, `AuthFailure`) or, for socket failures, the Node code
 * (`ECONNREFUSED`); `undefined` when the error carries neither.
 */
function awsErrorCode(error: unknown): string | undefined {
  const like = asErrorLike(error);
  for (const candidate of [like.Code, like.name, like.code]) {
    if (typeof candidate === 'string' && candidate !== 'Error' && candidate.length > 0) return candidate;
  }
  return undefined;
}

function isNetworkFailure(like: ErrorLike): boolean {
  if (typeof like.code === 'string' && NETWORK_CODES.has(like.code)) return true;
  return typeof like.name === 'string' && NETWORK_NAMES.has(like.name);
}

function isCredentialFailure(like: ErrorLike): boolean {
  const codes = [like.Code, like.name, like.code].filter((value): value is string => typeof value === 'string');
  return codes.some((code) => CREDENTIAL_CODES.has(code) || code.startsWith('AccessDenied'));
}

/** What the SDK names a service exception whose answer carried no error code it could find. */
const NO_CODE_NAMES = new Set(['Unknown', 'UnknownError']);

/**
 * The HTTP status of an answer that was not the service's own error: the SDK could not read it at all (an HTML or
 * XML page where JSON was due: `SyntaxError: Unexpected token '<'`), or read it and found no error code in it (EC2
 * names such an exception `Unknown`). `undefined` for a service's own error, or when no answer came.
 */
function foreignAnswerStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object' || !('$response' in error)) return undefined;
  const like = error as ErrorLike;
  const unread = !('$fault' in error);
  const noCode = typeof like.name === 'string' && NO_CODE_NAMES.has(like.name) && like.Code === undefined;
  if (!unread && !noCode) return undefined;
  return like.$metadata?.httpStatusCode ?? like.$response?.statusCode;
}

/** Whether the error is the service asking us to slow down (the SDK's adaptive retry already backed off). */
function isThrottle(error: unknown): boolean {
  const like = asErrorLike(error);
  if (like.$retryable?.throttling === true || like.$metadata?.httpStatusCode === 429) return true;
  const code = awsErrorCode(error);
  return code !== undefined && THROTTLE_CODES.has(code);
}

/**
 * Whether the call failed because it asked too much at once: it timed out, or was throttled past the SDK's retries.
 * A smaller request may then go through (unlike a refused connection or refused credentials).
 */
function isOverload(error: unknown): boolean {
  if (isThrottle(error)) return true;
  const like = asErrorLike(error);
  if (typeof like.code === 'string' && (like.code === 'ETIMEDOUT' || like.code === 'ESOCKETTIMEDOUT')) return true;
  return (
    typeof like.name === 'string' && ['TimeoutError', 'RequestTimeout', 'RequestTimeoutException'].includes(like.name)
  );
}

/**
 * Wraps an SDK failure into an `AwsError` with the original as `cause`: unreachable endpoint → `AWS_UNREACHABLE`,
 * refused credentials or permissions → `AWS_CREDENTIALS` (also an HTTP 401 or 403 whose answer was not the service's
 * own error, whatever the service's protocol), anything else → `AWS_CALL`. An `AwsError` passes through.
 *
 * @param operation the API call (`DescribeInstances`), named in the message
 */
function toAwsError(error: unknown, operation: string, region?: string): AwsError {
  if (error instanceof AwsError) return error;
  const like = asErrorLike(error);
  const code = awsErrorCode(error);
  const message = typeof like.message === 'string' && like.message.length > 0 ? like.message : String(error);
  const text = message.replace(DESERIALIZATION_HINT, '');
  const detail = code && !text.includes(code) ? `${code}: ${text}` : text;
  const options = { cause: error, ...(region ? { region } : {}) };
  if (isNetworkFailure(like)) {
    return new AwsError(ErrorCode.AwsUnreachable, operation, `AWS endpoint unreachable (${detail})`, options);
  }
  if (isCredentialFailure(like)) {
    return new AwsError(ErrorCode.AwsCredentials, operation, `credentials refused (${detail})`, options);
  }
  // Refused before the service spoke: what answered 401/403 was not the service's own error (a page in its place).
  const status = foreignAnswerStatus(error);
  if (status !== undefined && REFUSED_STATUSES.has(status)) {
    const why = `HTTP ${status}, with an answer that is not the service's own`;
    return new AwsError(ErrorCode.AwsCredentials, operation, `credentials refused (${why})`, options);
  }
  return new AwsError(ErrorCode.AwsCall, operation, detail, options);
}

export { awsErrorCode, isOverload, isThrottle, toAwsError };
