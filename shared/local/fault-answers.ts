/**
 * What an injected fault looks like from the caller's side: errors shaped like the SDK's own service exceptions
 * (name, `$fault`, `$metadata.httpStatusCode`), so the SDK's retry strategy classifies them as it would the real
 * thing, and malformed answers that keep the shape of a successful call but lose the fields callers rely on.
 */

/**
 * The faults a rule can inject. `die` freezes the client for good: a pass killed mid-flight. `slow` answers, but only
 * after the rule's `delayMs` (a slow endpoint: a caller that gives up first never sends the request).
 */
type FaultKind = 'throttle' | '5xx' | 'timeout' | 'malformed' | 'die' | 'slow';

/** A command's output as the deserializer hands it back (before any document-client unmarshalling). */
type CommandOutput = Record<string, unknown>;

/** Each service's spelling of "slow down" and its HTTP status. */
const THROTTLE_CODES: Readonly<Record<string, readonly [string, number]>> = {
  EC2: ['RequestLimitExceeded', 503],
  CloudWatch: ['Throttling', 400],
  SNS: ['Throttling', 400],
  DynamoDB: ['ProvisionedThroughputExceededException', 400],
};

/** Each service's spelling of an internal failure and its HTTP status. */
const SERVER_CODES: Readonly<Record<string, readonly [string, number]>> = {
  EC2: ['InternalError', 500],
  CloudWatch: ['ServiceUnavailable', 503],
  SNS: ['InternalError', 500],
  DynamoDB: ['InternalServerError', 500],
};

let nextRequestId = 0;

/** A service exception as the SDK's deserializer would raise it (the retry strategy reads these fields). */
function serviceError(code: string, status: number, fault: 'client' | 'server', message: string): Error {
  return Object.assign(new Error(message), {
    name: code,
    Code: code,
    $fault: fault,
    $metadata: { httpStatusCode: status, requestId: `injected-${++nextRequestId}` },
  });
}

/**
 * The error a `throttle`, `5xx` or `timeout` fault raises for `service` (`EC2`, `CloudWatch`, `SNS`, `DynamoDB`).
 * A timeout is the SDK's own socket-level `TimeoutError`: no answer, no HTTP status.
 */
function faultError(kind: 'throttle' | '5xx' | 'timeout', service: string, operation: string): Error {
  const what = `${service}:${operation} (injected)`;
  if (kind === 'timeout') {
    return Object.assign(new Error(`Connection timed out after 30000 ms: ${what}`), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
      $metadata: {},
    });
  }
  if (kind === 'throttle') {
    const [code, status] = THROTTLE_CODES[service] ?? ['ThrottlingException', 400];
    return serviceError(code, status, 'client', `Rate exceeded: ${what}`);
  }
  const [code, status] = SERVER_CODES[service] ?? ['ServiceUnavailable', 503];
  return serviceError(code, status, 'server', `The service is unavailable: ${what}`);
}

type Mangle = (output: CommandOutput) => CommandOutput;

const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? (value as Record<string, unknown>[]) : [];

/** Copies `entry` without `keys`. */
function without(entry: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const copy = { ...entry };
  for (const key of keys) delete copy[key];
  return copy;
}

/** Per operation, the malformed variant of a real answer: the shape holds, the fields callers need are gone. */
const MANGLERS: Readonly<Record<string, Mangle>> = {
  // Every result loses its values (timestamps stay), and the first one its id.
  GetMetricData: (output) => ({
    ...output,
    MetricDataResults: list(output.MetricDataResults).map((result, index) =>
      index === 0 ? without(result, 'Id', 'Values') : without(result, 'Values'),
    ),
  }),
  // Instances without a state or a launch time: nothing a decision can stand on.
  DescribeInstances: (output) => ({
    ...output,
    Reservations: list(output.Reservations).map((reservation) => ({
      ...reservation,
      Instances: list(reservation.Instances).map((instance) => without(instance, 'State', 'LaunchTime')),
    })),
  }),
  DescribeInstanceTypes: (output) => ({
    ...output,
    InstanceTypes: list(output.InstanceTypes).map((info) => without(info, 'InstanceType', 'GpuInfo')),
  }),
  ListMetrics: (output) => ({
    ...output,
    Metrics: list(output.Metrics).map((metric) => without(metric, 'Dimensions')),
  }),
};

/**
 * The malformed variant of `output` for `operation`; operations without a specific mangler lose every field but
 * `$metadata` (an empty answer where a full one was due).
 */
function malformed(operation: string, output: CommandOutput): CommandOutput {
  const mangle = MANGLERS[operation];
  return mangle ? mangle(output) : { $metadata: output.$metadata };
}

export type { CommandOutput, FaultKind };
export { faultError, malformed };
