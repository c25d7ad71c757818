/**
 * One schedule tick of the hub: lease every target that has no message in flight, and enqueue one message per
 * leased target. A target still leased is left out (its previous tick is queued or running); a message SQS refuses
 * gives its lease back, so the next tick tries that target again.
 */
import { randomUUID } from 'node:crypto';
import { mapWithConcurrency } from '../pass/concurrency';
import type { TargetMessage } from './target-message';

/** One account × region (the shape `resolveTargets` returns). */
interface DispatchTarget {
  readonly accountId: string;
  readonly region: string;
  readonly ouPath: readonly string[];
}

/** What a tick needs from the edges: the leases and the queue. */
interface DispatchPorts {
  readonly leases: {
    acquire(target: DispatchTarget, token: string, now: Date, durationMs: number): Promise<boolean>;
    release(target: DispatchTarget, token: string): Promise<boolean>;
  };
  readonly queue: {
    send(messages: readonly TargetMessage[]): Promise<readonly { message: TargetMessage; reason: string }[]>;
  };
}

/** Options of {@link dispatchTargets}. */
interface DispatchOptions {
  /** The tick's instant. */
  readonly now: Date;
  /** How long a lease lasts at most (the message's retention plus one run of the worker). */
  readonly leaseMs: number;
  /** Conditional puts in flight at once. @default 16 */
  readonly concurrency?: number;
  /** A new lease token. @default a random UUID */
  readonly newToken?: () => string;
}

/** What one tick did. */
interface DispatchResult {
  readonly enqueued: readonly TargetMessage[];
  /** Targets left out because their previous message is still in flight. */
  readonly stillInFlight: readonly DispatchTarget[];
  /** Messages SQS refused (their leases were given back). */
  readonly unsent: readonly { message: TargetMessage; reason: string }[];
}

/**
 * Leases and enqueues the targets of one tick.
 *
 * @example const { enqueued } = await dispatchTargets(targets, { leases, queue }, { now: new Date(), leaseMs: 2_100_000 });
 */
async function dispatchTargets(
  targets: readonly DispatchTarget[],
  ports: DispatchPorts,
  options: DispatchOptions,
): Promise<DispatchResult> {
  const tick = options.now.toISOString();
  const newToken = options.newToken ?? randomUUID;
  const leased = await mapWithConcurrency(targets, options.concurrency ?? 16, async (target) => {
    const leaseToken = `${tick}#${newToken()}`;
    const acquired = await ports.leases.acquire(target, leaseToken, options.now, options.leaseMs);
    return { target, leaseToken, acquired };
  });
  const messages: TargetMessage[] = leased
    .filter((lease) => lease.acquired)
    .map(({ target, leaseToken }) => ({
      accountId: target.accountId,
      region: target.region,
      ouPath: [...target.ouPath],
      tick,
      leaseToken,
    }));
  const unsent = await ports.queue.send(messages);
  // A refused message would otherwise hold its target's lease until it expires.
  await mapWithConcurrency(unsent, options.concurrency ?? 16, ({ message }) =>
    ports.leases.release(message, message.leaseToken),
  );
  const refused = new Set(unsent.map(({ message }) => message.leaseToken));
  return {
    enqueued: messages.filter((message) => !refused.has(message.leaseToken)),
    stillInFlight: leased.filter((lease) => !lease.acquired).map(({ target }) => target),
    unsent,
  };
}

export type { DispatchOptions, DispatchPorts, DispatchResult, DispatchTarget };
export { dispatchTargets };
