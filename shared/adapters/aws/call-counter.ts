/**
 * Counting the AWS API calls a pass makes, by `Service:Operation`, through an SDK middleware. It backs the closing
 * note's "API calls one plan makes" and the benchmark; it never changes a request.
 */

/** The part of an SDK client the counter needs: its middleware stack. */
interface CountableClient {
  readonly middlewareStack: {
    // biome-ignore lint/suspicious/noExplicitAny: the SDK's stack is generic per client; the counter is not.
    add(middleware: any, options: { step: 'initialize'; name: string; override?: boolean }): void;
  };
}

/** Calls and HTTP attempts (retries included) of one `Service:Operation`. */
interface CallCount {
  readonly calls: number;
  readonly attempts: number;
  readonly errors: number;
}

interface MiddlewareContext {
  readonly clientName?: string;
  readonly commandName?: string;
}

interface WithMetadata {
  readonly $metadata?: { readonly attempts?: number };
}

let nextCounterId = 0;

/**
 * Counts SDK calls by `Service:Operation` (`EC2:DescribeInstances`). Attach it to any number of clients; each
 * command sent counts once as a call, and its HTTP attempts (retries included) separately.
 *
 * @example
 * const counter = new CallCounter();
 * const { ec2, cloudwatch } = createRegionClients('us-east-1', { counter });
 * // … run a pass …
 * console.log(counter.table());
 */
class CallCounter {
  readonly #counts = new Map<string, { calls: number; attempts: number; errors: number }>();
  readonly #name = `gpuReaperCallCounter${nextCounterId++}`;

  /** Adds the counting middleware to `client` (once per client: attaching twice does not double-count). */
  attach<C extends CountableClient>(client: C): C {
    const middleware =
      (next: (args: unknown) => Promise<{ output?: WithMetadata }>, context: MiddlewareContext) =>
      async (args: unknown) => {
        const key = CallCounter.keyOf(context);
        try {
          const result = await next(args);
          this.#record(key, result.output?.$metadata?.attempts, false);
          return result;
        } catch (error) {
          this.#record(key, (error as WithMetadata | undefined)?.$metadata?.attempts, true);
          throw error;
        }
      };
    client.middlewareStack.add(middleware, { step: 'initialize', name: this.#name, override: true });
    return client;
  }

  /** Counts by `Service:Operation`, sorted by key. */
  snapshot(): Record<string, CallCount> {
    const keys = [...this.#counts.keys()].sort();
    return Object.fromEntries(keys.map((key) => [key, { ...this.#counts.get(key)! }]));
  }

  /** Calls of one operation (`EC2:DescribeInstances`), 0 when never made. */
  calls(key: string): number {
    return this.#counts.get(key)?.calls ?? 0;
  }

  /** All calls made so far. */
  get total(): number {
    let sum = 0;
    for (const count of this.#counts.values()) sum += count.calls;
    return sum;
  }

  /** Forgets every count (between benchmark rounds). */
  reset(): void {
    this.#counts.clear();
  }

  /** A plain-text table: one row per operation, then the total. */
  table(): string {
    const rows = Object.entries(this.snapshot()).map(([key, count]) => [
      key,
      String(count.calls),
      String(count.attempts),
      String(count.errors),
    ]);
    const totals = rows.reduce((sum, row) => sum.map((value, index) => value + Number(row[index + 1])), [0, 0, 0]);
    const all = [['API call', 'calls', 'attempts', 'errors'], ...rows, ['total', ...totals.map(String)]];
    const widths = [0, 1, 2, 3].map((column) => Math.max(...all.map((row) => row[column]!.length)));
    const line = (row: string[]) =>
      row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!))).join('  ');
    return all.map(line).join('\n');
  }

  #record(key: string, attempts: number | undefined, failed: boolean): void {
    const count = this.#counts.get(key) ?? { calls: 0, attempts: 0, errors: 0 };
    count.calls += 1;
    // A call that never reached the wire (no credentials) made no attempt.
    count.attempts += attempts ?? 0;
    if (failed) count.errors += 1;
    this.#counts.set(key, count);
  }

  /** `EC2Client` + `DescribeInstancesCommand` → `EC2:DescribeInstances`. */
  static keyOf(context: MiddlewareContext): string {
    const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
    const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
    return `${service}:${operation}`;
  }
}

export type { CallCount, CountableClient };
export { CallCounter };
