/**
 * The message the dispatcher sends for one target (account × region) and the worker reads: the target, the tick
 * it belongs to, and the token of the lease the dispatcher took for it (the worker releases that lease, and only
 * that one, when the pass is done).
 */
import { UsageError } from '../errors';

/** One target's message body. */
interface TargetMessage {
  readonly accountId: string;
  readonly region: string;
  /** The root and OUs the account sits in, outer to inner (OU overrides apply in that order). */
  readonly ouPath: readonly string[];
  /** The schedule tick (ISO instant) that enqueued it. */
  readonly tick: string;
  /** The lease token the dispatcher wrote for this target. */
  readonly leaseToken: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The JSON body of a target message. */
function targetMessageBody(message: TargetMessage): string {
  return JSON.stringify(message);
}

/**
 * Reads a target message body.
 *
 * @throws UsageError naming what is wrong, when the body is not a target message
 * @example parseTargetMessage('{"accountId":"111111111111","region":"us-east-1","ouPath":[],"tick":"…","leaseToken":"…"}')
 */
function parseTargetMessage(body: string): TargetMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new UsageError(`target message is not JSON: ${body.slice(0, 80)}`, { cause: error });
  }
  const m = (value ?? {}) as Partial<Record<keyof TargetMessage, unknown>>;
  const problems = [
    typeof m.accountId === 'string' && ACCOUNT_ID.test(m.accountId) ? null : 'accountId must be 12 digits',
    typeof m.region === 'string' && REGION.test(m.region) ? null : 'region must be a region name',
    Array.isArray(m.ouPath) && m.ouPath.every((ou) => typeof ou === 'string') ? null : 'ouPath must list OU ids',
    typeof m.tick === 'string' && !Number.isNaN(Date.parse(m.tick)) ? null : 'tick must be an ISO instant',
    typeof m.leaseToken === 'string' && m.leaseToken.length > 0 ? null : 'leaseToken must be a string',
  ].filter((problem): problem is string => problem !== null);
  if (problems.length > 0) throw new UsageError(`target message ${body.slice(0, 120)}: ${problems.join('; ')}`);
  return m as TargetMessage;
}

export type { TargetMessage };
export { parseTargetMessage, targetMessageBody };
