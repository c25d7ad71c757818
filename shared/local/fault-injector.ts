/**
 * Fault injection for SDK v3 clients, as a middleware (like the call counter): throttling, 5xx, timeouts, malformed
 * answers and a pass that dies mid-flight, per operation and by rule, in front of a real endpoint (moto). It sits
 * inside the SDK's retry loop, so retries and adaptive back-off see injected faults exactly as they would see
 * AWS's; tests keep the suite fast with `maxAttempts` 1–2.
 */
import { type CommandOutput, type FaultKind, faultError, malformed } from './fault-answers';

/** One fault to inject. */
interface FaultRule {
  /** `GetMetricData`, or `CloudWatch:GetMetricData` to name the service too. */
  readonly operation: string;
  readonly fault: FaultKind;
  /** How many matching calls fail (each SDK attempt counts). @default every matching call */
  readonly times?: number;
  /**
   * Only calls whose input passes. Document-client inputs are seen marshalled (`{ S: '…' }`): match them with
   * {@link inputMentions}. @default every call
   */
  readonly when?: (input: Record<string, unknown>) => boolean;
  /**
   * Let the call reach the service first, then fail or mangle its answer: the request took effect but the caller
   * never hears so (a lost answer). Always so for `malformed`.
   * @default false
   */
  readonly after?: boolean;
  /** For `malformed`: how to spoil the answer. @default a per-operation mangler (see fault-answers.ts) */
  readonly mangle?: (output: CommandOutput) => CommandOutput;
  /**
   * For `slow`: how long to hold the call before it goes on to the service, from its input (GetMetricData in
   * proportion to its queries: {@link delayPerQuery}). @default 0
   */
  readonly delayMs?: (input: Record<string, unknown>) => number;
}

/** One injected fault, for assertions. */
interface InjectedFault {
  /** `Service:Operation`. */
  readonly call: string;
  readonly fault: FaultKind;
}

/** The part of an SDK client the injector needs: its middleware stack. */
interface InjectableClient {
  readonly middlewareStack: {
    // biome-ignore lint/suspicious/noExplicitAny: the SDK's stack is generic per client; the injector is not.
    add(middleware: any, options: { step: 'deserialize'; name: string; priority: 'high'; override: true }): void;
  };
}

interface CallContext {
  readonly clientName?: string;
  readonly commandName?: string;
}

type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: CommandOutput }>;

/** A promise that never settles: the caller of a dead process never hears back. */
const never = () => new Promise<never>(() => {});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * `delayMs` for a `slow` GetMetricData rule: `perQueryMs` for every query beyond `free` (an endpoint whose cost grows
 * with the queries asked, as a large call's does).
 * @example { operation: 'GetMetricData', fault: 'slow', delayMs: delayPerQuery(500, 50) }
 */
function delayPerQuery(perQueryMs: number, free = 0): (input: Record<string, unknown>) => number {
  return (input) => {
    const queries = input.MetricDataQueries;
    return Math.max(0, (Array.isArray(queries) ? queries.length : 0) - free) * perQueryMs;
  };
}

/**
 * `when` predicate: the (marshalled) input mentions `text` anywhere (a key, an instance id, an event name).
 * @example { operation: 'TransactWriteItems', fault: 'throttle', when: inputMentions('"WARNED"') }
 */
function inputMentions(text: string): (input: Record<string, unknown>) => boolean {
  return (input) => JSON.stringify(input).includes(text);
}

let nextInjectorId = 0;

/**
 * Injects faults into every client it is attached to. Rules are tried in order; the first that matches a call
 * (operation, `when`, and `times` not used up) fires.
 *
 * @example
 * const faults = new FaultInjector([{ operation: 'GetMetricData', fault: 'throttle', times: 1 }]);
 * const { cloudwatch } = createRegionClients('us-east-1', { maxAttempts: 1, layers: [faults] });
 */
class FaultInjector {
  readonly #rules: { rule: FaultRule; fired: number }[] = [];
  readonly #log: InjectedFault[] = [];
  readonly #name = `gpuReaperFaultInjector${nextInjectorId++}`;
  #dead = false;

  constructor(rules: readonly FaultRule[] = []) {
    for (const rule of rules) this.add(rule);
  }

  /** Adds a rule after the existing ones. */
  add(rule: FaultRule): this {
    this.#rules.push({ rule, fired: 0 });
    return this;
  }

  /** Forgets every rule (the outage is over); a dead injector stays dead. */
  clear(): void {
    this.#rules.length = 0;
  }

  /** Every fault injected so far, in order. */
  get injected(): readonly InjectedFault[] {
    return this.#log;
  }

  /** True once a `die` fault fired: every later call through this injector hangs. */
  get dead(): boolean {
    return this.#dead;
  }

  /** Adds the injecting middleware to `client` (once per client). */
  attach<C extends InjectableClient>(client: C): C {
    const middleware = (next: Next, context: CallContext) => async (args: { input: Record<string, unknown> }) => {
      if (this.#dead) return never();
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const rule = this.#match(service, operation, args.input ?? {});
      if (!rule) return next(args);
      this.#log.push({ call: `${service}:${operation}`, fault: rule.fault });
      if (rule.fault === 'slow') {
        await sleep(rule.delayMs?.(args.input ?? {}) ?? 0);
        return next(args);
      }
      if (rule.fault === 'malformed') {
        const result = await next(args);
        return { ...result, output: (rule.mangle ?? ((o) => malformed(operation, o)))(result.output) };
      }
      if (rule.after) await next(args);
      if (rule.fault === 'die') {
        this.#dead = true;
        return never();
      }
      throw faultError(rule.fault, service, operation);
    };
    client.middlewareStack.add(middleware, { step: 'deserialize', name: this.#name, priority: 'high', override: true });
    return client;
  }

  #match(service: string, operation: string, input: Record<string, unknown>): FaultRule | undefined {
    for (const entry of this.#rules) {
      const { rule } = entry;
      if (rule.operation !== operation && rule.operation !== `${service}:${operation}`) continue;
      if (rule.times !== undefined && entry.fired >= rule.times) continue;
      if (rule.when && !rule.when(input)) continue;
      entry.fired += 1;
      return rule;
    }
    return undefined;
  }
}

export type { FaultKind } from './fault-answers';
export type { FaultRule, InjectableClient, InjectedFault };
export { delayPerQuery, FaultInjector, inputMentions };
