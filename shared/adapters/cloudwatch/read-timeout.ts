/**
 * How long one GetMetricData call may take, and the call that keeps to it. A call that gets no answer in time fails
 * at once with a {@link SlowReadError}, which the SDK does not retry (a timeout retried whole by the SDK costs five
 * timeouts, and by then the pass's time to split the batch is gone): the batch reader splits it in halves instead.
 * Throttling is still retried by the SDK with its back-off, as for every other call.
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataInput,
  type GetMetricDataOutput,
} from '@aws-sdk/client-cloudwatch';

/** A call's time before its queries count. */
const BASE_TIMEOUT_MS = 10_000;
/**
 * Each query's allowance on top: enough for an endpoint whose cost grows with the queries (moto's does, about
 * 0.15 s a query), so a large call there is not cut short for its size alone: cutting it short would not make it
 * cheaper, the endpoint would still be busy with the abandoned call while its halves wait.
 */
const PER_QUERY_TIMEOUT_MS = 200;
/** No call waits longer: a 500-query call that needs more is split, never retried whole (5 × 30 s before). */
const MAX_TIMEOUT_MS = 90_000;
/** How long a read may keep splitting calls that timed out when the pass gives no time budget (the CLI). */
const DEFAULT_SPLIT_MS = 4 * 60_000;

/** The time one GetMetricData attempt of `queries` queries may take: 10 s + 200 ms a query, at most 90 s. */
function callTimeoutMs(queries: number): number {
  return Math.min(MAX_TIMEOUT_MS, BASE_TIMEOUT_MS + PER_QUERY_TIMEOUT_MS * Math.max(0, queries));
}

/**
 * A GetMetricData call that got no answer in its time. Its name is none the SDK's retry strategy takes for a
 * transient error, on purpose: it is not retried whole.
 */
class SlowReadError extends Error {
  override readonly name = 'SlowReadError';
  readonly queries: number;
  readonly timeoutMs: number;

  constructor(queries: number, timeoutMs: number) {
    const count = `${queries} ${queries === 1 ? 'query' : 'queries'}`;
    super(`GetMetricData of ${count} got no answer within ${(timeoutMs / 1000).toFixed(1)} s (TimeoutError)`);
    this.queries = queries;
    this.timeoutMs = timeoutMs;
  }
}

/** Names of the SDK's own timeouts (the HTTP handler's `requestTimeout`, a socket's), turned into a slow read. */
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

const isTimeout = (error: unknown) =>
  error !== null &&
  typeof error === 'object' &&
  (TIMEOUT_NAMES.has(String((error as { name?: unknown }).name)) || (error as { code?: unknown }).code === 'ETIMEDOUT');

/**
 * One GetMetricData page within `timeoutMs` per attempt. The timer sits inside the SDK's retry loop (so a throttled
 * attempt is retried with back-off as usual), around everything the attempt does; when it fires the request is
 * aborted and the call fails with a {@link SlowReadError}, as does an attempt the SDK itself timed out.
 *
 * @throws SlowReadError when an attempt got no answer in time; any other failure as the SDK raised it
 */
async function sendWithin(
  client: CloudWatchClient,
  input: GetMetricDataInput,
  timeoutMs: number,
): Promise<GetMetricDataOutput> {
  const queries = input.MetricDataQueries?.length ?? 0;
  const controller = new AbortController();
  const command = new GetMetricDataCommand(input);
  type Next = (args: unknown) => Promise<unknown>;
  const perAttempt = (next: Next) => async (args: unknown) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Aborting closes the socket, and an attempt still waiting (a delay in front of it) never sends.
        controller.abort();
        reject(new SlowReadError(queries, timeoutMs));
      }, timeoutMs);
    });
    const attempt = next(args);
    // Once the timer has won, the attempt's own failure (the abort) is of no interest.
    attempt.catch(() => {});
    try {
      return await Promise.race([attempt, late]);
    } catch (error) {
      if (controller.signal.aborted || isTimeout(error)) throw new SlowReadError(queries, timeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
  command.middlewareStack.add(perAttempt as never, {
    step: 'finalizeRequest',
    priority: 'low',
    name: 'gpuReaperReadTimeout',
  });
  // The HTTP handler's own timer (the client's 30 s otherwise) a second later: a backstop, never the one that fires.
  return client.send(command, { abortSignal: controller.signal, requestTimeout: timeoutMs + 1_000 });
}

export { callTimeoutMs, DEFAULT_SPLIT_MS, SlowReadError, sendWithin };
