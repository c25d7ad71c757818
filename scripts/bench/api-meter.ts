/**
 * A {@link CallCounter} that also meters what AWS bills beyond the call itself: metrics requested by GetMetricData,
 * DynamoDB read and write request units, SNS publishes. Attach it wherever the pass takes a `counter`.
 */
import { CallCounter, type CountableClient } from '../../shared/adapters/aws/call-counter';
import { AuditTableDesign } from '../../shared/config/audit-table';

/** What a pass consumed, in billing units. */
interface BillingUnits {
  /** MetricDataQueries sent in GetMetricData calls (each page call counts its queries again). */
  readonly metricsRequested: number;
  /** Of them, the host-activity queries (`AWS/EC2` CPU and network). */
  readonly hostMetricsRequested: number;
  /** DynamoDB read request units (on-demand): 1 per item ≤ 4 KB read consistently, ½ eventually. */
  readonly readUnits: number;
  /** DynamoDB write request units: 1 per KB written, 2× in a transaction, plus the `by-time` index copy. */
  readonly writeUnits: number;
}

interface MeterContext {
  readonly commandName?: string;
}

type Input = Record<string, unknown>;

/** Bytes of an item the way DynamoDB sizes it, roughly: attribute names plus values (numbers as 8 bytes). */
function itemBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') return 8;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return value.reduce((sum: number, entry) => sum + itemBytes(entry) + 1, 3);
  if (typeof value === 'object') {
    let sum = 3;
    for (const [key, entry] of Object.entries(value as Input)) sum += Buffer.byteLength(key) + itemBytes(entry);
    return sum;
  }
  return 0;
}

/**
 * Write units of one written item: one per KB (twice that in a transaction), and once more when the item lands in
 * the `by-time` index (audit events do; state items do not).
 */
function itemWriteUnits(item: unknown, transactional = false): number {
  const units = Math.max(1, Math.ceil(itemBytes(item) / 1024));
  const indexed = typeof item === 'object' && item !== null && AuditTableDesign.timeIndexPartitionKey in item;
  return units * (transactional ? 2 : 1) + (indexed ? units : 0);
}

/** Counts calls (as {@link CallCounter} does) and the billing units of each. */
class ApiMeter extends CallCounter {
  #metricsRequested = 0;
  #hostMetricsRequested = 0;
  #readUnits = 0;
  #writeUnits = 0;
  readonly #name = `gpuReaperApiMeter${Math.random().toString(36).slice(2)}`;

  override attach<C extends CountableClient>(client: C): C {
    super.attach(client);
    const middleware =
      (next: (args: { input: Input }) => Promise<{ output?: Input }>, context: MeterContext) =>
      async (args: { input: Input }) => {
        const result = await next(args);
        this.#meter(String(context.commandName ?? '').replace(/Command$/, ''), args.input, result.output ?? {});
        return result;
      };
    client.middlewareStack.add(middleware, { step: 'initialize', name: this.#name, override: true });
    return client;
  }

  /** The billing units consumed so far. */
  units(): BillingUnits {
    return {
      metricsRequested: this.#metricsRequested,
      hostMetricsRequested: this.#hostMetricsRequested,
      readUnits: this.#readUnits,
      writeUnits: this.#writeUnits,
    };
  }

  override reset(): void {
    super.reset();
    this.#metricsRequested = 0;
    this.#hostMetricsRequested = 0;
    this.#readUnits = 0;
    this.#writeUnits = 0;
  }

  #meter(operation: string, input: Input, output: Input): void {
    const consistent = (request: Input | undefined) => (request?.ConsistentRead === true ? 1 : 0.5);
    switch (operation) {
      case 'GetMetricData': {
        const queries = (input.MetricDataQueries ?? []) as { MetricStat?: { Metric?: { Namespace?: string } } }[];
        this.#metricsRequested += queries.length;
        this.#hostMetricsRequested += queries.filter((q) => q.MetricStat?.Metric?.Namespace === 'AWS/EC2').length;
        return;
      }
      case 'BatchGet':
      case 'BatchGetItem':
        for (const request of Object.values((input.RequestItems ?? {}) as Record<string, Input>)) {
          this.#readUnits += ((request.Keys as unknown[] | undefined)?.length ?? 0) * consistent(request);
        }
        return;
      case 'Get':
      case 'GetItem':
        this.#readUnits += consistent(input);
        return;
      case 'Query': {
        const bytes = itemBytes(output.Items ?? []);
        this.#readUnits += Math.max(1, Math.ceil(bytes / 4096)) * consistent(input);
        return;
      }
      case 'Put':
      case 'PutItem':
        this.#writeUnits += itemWriteUnits(input.Item);
        return;
      case 'Update':
      case 'UpdateItem':
      case 'Delete':
      case 'DeleteItem':
        this.#writeUnits += 1;
        return;
      case 'TransactWrite':
      case 'TransactWriteItems':
        for (const entry of (input.TransactItems ?? []) as Input[]) {
          const put = entry.Put as Input | undefined;
          this.#writeUnits += put ? itemWriteUnits(put.Item, true) : 2;
        }
        return;
      case 'BatchWrite':
      case 'BatchWriteItem':
        for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, Input[]>)) {
          for (const request of requests) {
            const put = request.PutRequest as Input | undefined;
            this.#writeUnits += put ? itemWriteUnits(put.Item) : 1;
          }
        }
        return;
      default:
        return;
    }
  }
}

export type { BillingUnits };
export { ApiMeter };
