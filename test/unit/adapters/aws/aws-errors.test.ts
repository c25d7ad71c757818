/**
 * Error translation: which SDK failures mean "unreachable", which mean "credentials refused", and which are a
 * plain failed call; and which mean "slow down".
 */
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { awsErrorCode, isThrottle, toAwsError } from '../../../../shared/adapters/aws/aws-errors';
import { AwsError, ErrorCode } from '../../../../shared/errors';

const service = (name: string, message = `${name} happened`, status = 400) =>
  new EC2ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: status } });

const socket = (code: string, name = 'Error') =>
  Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code, name });

describe('toAwsError', () => {
  it.each([
    ['ECONNREFUSED', socket('ECONNREFUSED')],
    ['ENOTFOUND', socket('ENOTFOUND')],
    ['EAI_AGAIN', socket('EAI_AGAIN')],
    ['ECONNRESET (socket hang up)', socket('ECONNRESET', 'TimeoutError')],
    ['a request timeout', socket('ETIMEDOUT', 'TimeoutError')],
  ])('says AWS_UNREACHABLE for %s', (_label, error) => {
    const translated = toAwsError(error, 'DescribeInstances', 'us-east-1');
    expect(translated).toBeInstanceOf(AwsError);
    expect(translated).toMatchObject({
      code: ErrorCode.AwsUnreachable,
      operation: 'DescribeInstances',
      region: 'us-east-1',
    });
    expect(translated.cause).toBe(error);
  });

  it.each([
    [
      'CredentialsProviderError',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
    ],
    ['UnrecognizedClientException', service('UnrecognizedClientException')],
    ['AuthFailure', service('AuthFailure')],
    [
      'InvalidClientTokenId',
      service('InvalidClientTokenId', 'The security token included in the request is invalid', 403),
    ],
    ['ExpiredToken', service('ExpiredToken')],
    ['SignatureDoesNotMatch', service('SignatureDoesNotMatch')],
    ['AccessDenied', service('AccessDenied', 'denied', 403)],
    ['AccessDeniedException', service('AccessDeniedException', 'denied', 403)],
    ['UnauthorizedOperation (EC2 IAM denial)', service('UnauthorizedOperation', 'You are not authorized', 403)],
  ])('says AWS_CREDENTIALS for %s', (_label, error) => {
    expect(toAwsError(error, 'GetMetricData')).toMatchObject({
      code: ErrorCode.AwsCredentials,
      operation: 'GetMetricData',
    });
  });

  it('says AWS_CALL for anything else, naming the operation, the region and the service code', () => {
    const translated = toAwsError(service('OperationNotPermitted', 'may not be stopped'), 'StopInstances', 'eu-west-1');
    expect(translated.code).toBe(ErrorCode.AwsCall);
    expect(translated.message).toBe('StopInstances (eu-west-1): OperationNotPermitted: may not be stopped');
  });

  it('passes an AwsError through unchanged', () => {
    const original = new AwsError(ErrorCode.AwsCall, 'DescribeTags', 'boom');
    expect(toAwsError(original, 'DescribeInstances')).toBe(original);
  });

  it('copes with things that are not errors', () => {
    expect(toAwsError('plain text', 'ListMetrics')).toMatchObject({
      code: ErrorCode.AwsCall,
      message: 'ListMetrics: plain text',
    });
    expect(toAwsError(undefined, 'ListMetrics').code).toBe(ErrorCode.AwsCall);
  });
});

/**
 * What the SDK raises when the answer was not the service's own error: a JSON client handed an XML or HTML page
 * (`SyntaxError`, `$response` hidden, `$metadata` added, no `$fault`), or EC2 reading a page without an error code
 * (`Unknown`).
 */
function foreignAnswer(status: number, kind: 'unreadable' | 'no-code' = 'unreadable'): Error {
  const error =
    kind === 'unreadable'
      ? Object.assign(
          new SyntaxError(
            `Unexpected token '<', "<?xml vers"... is not valid JSON\n  Deserialization error: to see the raw ` +
              'response, inspect the hidden field {error}.$response on this object.',
          ),
          { $metadata: { httpStatusCode: status } },
        )
      : service('Unknown', 'Unknown', status);
  Object.defineProperty(error, '$response', { value: { statusCode: status }, enumerable: false });
  return error;
}

describe('toAwsError with an answer that is not the service’s own', () => {
  it.each([
    [401, 'unreadable'],
    [403, 'unreadable'],
    [403, 'no-code'],
  ] as const)('says AWS_CREDENTIALS for HTTP %i (%s), in one line without the parser’s words', (status, kind) => {
    const translated = toAwsError(foreignAnswer(status, kind), 'Query', 'us-east-1');
    expect(translated.code).toBe(ErrorCode.AwsCredentials);
    expect(translated.message).toBe(
      `Query (us-east-1): credentials refused (HTTP ${status}, with an answer that is not the service's own)`,
    );
  });

  it('says AWS_CALL for another status, without the SDK’s advice to read a hidden field', () => {
    const translated = toAwsError(foreignAnswer(500), 'ListMetrics', 'us-east-1');
    expect(translated.code).toBe(ErrorCode.AwsCall);
    expect(translated.message).toBe(
      `ListMetrics (us-east-1): SyntaxError: Unexpected token '<', "<?xml vers"... is not valid JSON`,
    );
  });

  it('keeps a service’s own 401/403 error that is not about credentials as AWS_CALL (a region not enabled)', () => {
    const translated = toAwsError(service('OptInRequired', 'You are not subscribed to this service', 401), 'X');
    expect(translated.code).toBe(ErrorCode.AwsCall);
  });

  it.each(['InvalidSignatureException', 'IncompleteSignatureException', 'MissingAuthenticationTokenException'])(
    'says AWS_CREDENTIALS for the JSON services’ %s',
    (name) => {
      expect(toAwsError(service(name, 'refused', 400), 'Query').code).toBe(ErrorCode.AwsCredentials);
    },
  );
});

describe('awsErrorCode', () => {
  it('reads the service code, else the socket code', () => {
    expect(awsErrorCode(service('InvalidInstanceType'))).toBe('InvalidInstanceType');
    expect(awsErrorCode(socket('ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(awsErrorCode(new Error('bare'))).toBeUndefined();
  });
});

describe('isThrottle', () => {
  it.each(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException'])(
    'knows %s',
    (name) => {
      expect(isThrottle(service(name))).toBe(true);
    },
  );

  it('knows HTTP 429 and the SDK throttling flag', () => {
    expect(isThrottle(service('Whatever', 'slow down', 429))).toBe(true);
    expect(isThrottle(Object.assign(new Error('x'), { $retryable: { throttling: true } }))).toBe(true);
  });

  it('is false for other failures', () => {
    expect(isThrottle(service('AuthFailure'))).toBe(false);
    expect(isThrottle(socket('ECONNREFUSED'))).toBe(false);
    expect(isThrottle(null)).toBe(false);
  });
});
