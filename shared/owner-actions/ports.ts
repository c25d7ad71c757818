/**
 * What answering an owner's link needs from the outside, as narrow interfaces: the DynamoDB token table, the EC2
 * read of the instance and the effects (owner-effects.ts) implement them; tests may pass in-memory ones.
 */
import type { OwnerActionName, TokenClaims } from './token';

/** Where a token's single use is recorded. */
interface TokenLedger {
  /** True when the token was used already. */
  isUsed(instanceId: string, tokenId: string): Promise<boolean>;
  /** Records the use; true for the first caller only. */
  consume(use: {
    readonly instanceId: string;
    readonly tokenId: string;
    readonly action: string;
    readonly expiresAt: Date;
  }): Promise<boolean>;
  /** Forgets a use whose action failed or changed nothing, so the link still works. */
  release(instanceId: string, tokenId: string): Promise<void>;
}

/** The instance as the confirmation page shows it (read-only). */
interface InstanceView {
  readonly instanceId: string;
  readonly region: string;
  readonly instanceType: string;
  /** EC2 state name, or `gone`. */
  readonly state: string;
  readonly owner: string | null;
  readonly name: string | null;
  /** The pending warning, when there is one: its rule, action and planned time. */
  readonly warning: { readonly rule: string; readonly action: string; readonly actAt: Date } | null;
  /**
   * True when the link's warning is no longer the one pending (cleared, acted on, replaced, the instance restarted
   * or gone): the link changes nothing.
   */
  readonly stale: boolean;
}

/** What an effect did, for the result page. */
interface EffectResult {
  /**
   * `done`: it happened (in dry-run, recorded as it would have); `refused`: a re-check forbade it; `stale`: the
   * link's warning is no longer pending, so nothing was looked at further.
   */
  readonly outcome: 'done' | 'refused' | 'stale';
  /** One sentence for the owner. */
  readonly summary: string;
  /** The audit events recorded (`SNOOZED`, `APPROVED`, `CLEARED`, `STOPPED`, …); none: nothing changed. */
  readonly events: readonly string[];
}

/** The owner's actions on one instance, through the reaper's own paths. */
interface OwnerEffects {
  /** The instance and its pending warning, read fresh; nothing is changed. */
  view(claims: TokenClaims): Promise<InstanceView>;
  /** Keeps it for `durationMs` (already capped by `snooze.ceiling`) from `now`. */
  keep(claims: TokenClaims, durationMs: number, now: Date): Promise<EffectResult>;
  /** Stops it now, through the act path and its re-checks. */
  stop(claims: TokenClaims, now: Date): Promise<EffectResult>;
  /** Approves its run for `durationMs` (already capped by `maxRuntime.ceiling`) from `now`: an approver's answer. */
  approve(claims: TokenClaims, durationMs: number, now: Date): Promise<EffectResult>;
}

/** The structured log of the endpoint (Powertools' logger fits). */
interface OwnerActionLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export type { EffectResult, InstanceView, OwnerActionLog, OwnerActionName, OwnerEffects, TokenLedger };
