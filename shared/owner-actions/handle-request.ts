/**
 * The owner-action endpoint, whatever serves it (the Lambda Function URL, the local loopback server): a GET of a
 * link shows the confirmation page and changes nothing; only the page's POST acts, once per token. A changed token
 * gets 403, an expired or used one 410, one whose warning is no longer pending 410, and nothing changes; a POST that
 * changes nothing does not use the link up. Every answer is logged with the token's id (never the token itself).
 * An approver's approve link is answered the same way, with the same re-checks.
 */
import type { Config } from '../config';
import { parseDuration } from '../config';
import { renderConfirmPage, renderNotKeptPage } from '../render/owner-page/confirm-page';
import { type RefusedLink, renderOutcomePage, renderRefusedPage } from '../render/owner-page/outcome-page';
import { SNOOZABLE } from './link-binding';
import type { EffectResult, OwnerActionLog, OwnerEffects, TokenLedger } from './ports';
import { approveDuration, keepDuration, type MacKey, type TokenClaims, verifyToken } from './token';

/** An HTTP request as the endpoint needs it. */
interface OwnerRequest {
  readonly method: string;
  /** The query string's parameters (the link's token is `t`). */
  readonly query: URLSearchParams;
  /** The request body as text (a POST's form), or `null`. */
  readonly body: string | null;
}

/** An HTTP response: status, headers and an HTML page. */
interface OwnerResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What the endpoint answers with. */
interface OwnerActionDeps {
  readonly config: Config;
  readonly key: MacKey;
  readonly ledger: TokenLedger;
  readonly effects: OwnerEffects;
  readonly log: OwnerActionLog;
  /** @default the wall clock */
  readonly now?: () => Date;
  /** The account this endpoint acts in: a token for another account is refused (403). @default not checked */
  readonly accountId?: string | null;
  /**
   * With `accounts` set: the config and effects of the account a verified token names (a member account's act
   * through its spoke role), or `null` when that account is not a target (403, no role assumed).
   * @default every token acts with `config` and `effects`, in `accountId`
   */
  readonly accountFor?: (account: string) => Promise<AccountScope | null>;
}

/** The config and the effects of one account. */
interface AccountScope {
  readonly config: Config;
  readonly effects: OwnerEffects;
}

/** Largest form body read; the real one is the token alone. */
const MAX_BODY = 8_192;

/**
 * Every page: HTML, never cached or framed, no script, forms only back to this endpoint, and the URL (it holds
 * the token) never sent on as a referrer.
 */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

const STATUS: Readonly<Record<RefusedLink, number>> = {
  missing: 400,
  forged: 403,
  account: 403,
  expired: 410,
  outdated: 410,
  used: 410,
  stale: 410,
  method: 405,
  failed: 500,
};

const respond = (status: number, body: string, extra: Record<string, string> = {}): OwnerResponse => ({
  status,
  headers: { ...PAGE_HEADERS, ...extra },
  body,
});
const refuse = (reason: RefusedLink): OwnerResponse =>
  respond(STATUS[reason], renderRefusedPage(reason), reason === 'method' ? { allow: 'GET, POST' } : {});

/** The keep a token asks for, capped by `snooze.ceiling`; `null` for stop. */
function keepAsked(claims: TokenClaims, config: Config): { ms: number; text: string; capped: boolean } | null {
  const text = keepDuration(claims.action);
  if (text === null) return null;
  const asked = parseDuration(text) ?? 0;
  const ceiling = parseDuration(config.snooze.ceiling) ?? asked;
  const ms = Math.min(asked, ceiling);
  return { ms, text: ms === asked ? text : config.snooze.ceiling, capped: ms < asked };
}

/** The approval a token asks for, capped by `maxRuntime.ceiling`; `null` for any other action. */
function approvalAsked(claims: TokenClaims, config: Config): { ms: number; text: string; capped: boolean } | null {
  const text = approveDuration(claims.action);
  if (text === null) return null;
  const asked = parseDuration(text) ?? 0;
  const ceiling = parseDuration(config.maxRuntime.ceiling) ?? asked;
  const ms = Math.min(asked, ceiling);
  return { ms, text: ms === asked ? text : config.maxRuntime.ceiling, capped: ms < asked };
}

/**
 * Answers one request.
 *
 * @example const response = await handleOwnerRequest({ method: 'GET', query, body: null }, deps);
 */
async function handleOwnerRequest(request: OwnerRequest, deps: OwnerActionDeps): Promise<OwnerResponse> {
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') return refuse('method');
  const token = method === 'GET' ? request.query.get('t') : formToken(request.body);
  if (!token) return refuse('missing');
  const now = deps.now?.() ?? new Date();
  const log = (level: 'info' | 'warn' | 'error', message: string, claims?: TokenClaims, extra = {}) =>
    deps.log[level](message, {
      method,
      ...(claims ? { tokenId: claims.id, instanceId: claims.instanceId, action: claims.action } : {}),
      ...extra,
    });
  try {
    const check = await verifyToken(token, deps.key, now);
    if (!check.ok) {
      const reason = check.refusal === 'malformed' ? 'forged' : check.refusal;
      log('warn', `owner link refused: ${check.refusal}`, check.claims, { refusal: check.refusal });
      return refuse(reason);
    }
    const { claims } = check;
    const scope = await scopeOf(claims, deps);
    if (scope === null) {
      log('warn', 'owner link refused: an account not covered', claims, {
        refusal: 'account',
        account: claims.account,
      });
      return refuse('account');
    }
    const scoped = { ...deps, ...scope };
    if (method === 'GET') return await confirm(token, claims, scoped, now, log);
    return await carryOut(claims, scoped, now, log);
  } catch (error) {
    log('error', 'owner link failed', undefined, { error: (error as Error).message });
    return refuse('failed');
  }
}

/** The config and effects the token's account acts with; `null` when the endpoint does not cover that account. */
async function scopeOf(claims: TokenClaims, deps: OwnerActionDeps): Promise<AccountScope | null> {
  if (deps.accountFor) return deps.accountFor(claims.account);
  if (deps.accountId && claims.account && claims.account !== deps.accountId) return null;
  return { config: deps.config, effects: deps.effects };
}

type Log = (level: 'info' | 'warn' | 'error', message: string, claims?: TokenClaims, extra?: object) => void;

/** GET: the confirmation page; reads only (the token's use, the instance, its warning). */
async function confirm(token: string, claims: TokenClaims, deps: OwnerActionDeps, now: Date, log: Log) {
  if (await deps.ledger.isUsed(claims.instanceId, claims.id)) {
    log('warn', 'owner link refused: used', claims, { refusal: 'used' });
    return refuse('used');
  }
  const view = await deps.effects.view(claims);
  if (view.stale) {
    log('warn', 'owner link refused: stale', claims, { refusal: 'stale' });
    return refuse('stale');
  }
  const keep = keepAsked(claims, deps.config);
  const { mode, tagPrefix } = deps.config;
  if (keep && view.warning !== null && !SNOOZABLE.has(view.warning.rule)) {
    log('warn', 'owner link refused: a snooze does not hold this rule', claims, { rule: view.warning.rule });
    return respond(409, renderNotKeptPage({ view, tagPrefix }));
  }
  const approval = approvalAsked(claims, deps.config);
  const ask = keep
    ? { kind: 'keep' as const, duration: keep.text, until: new Date(now.getTime() + keep.ms), capped: keep.capped }
    : approval
      ? {
          kind: 'approve' as const,
          duration: approval.text,
          until: new Date(now.getTime() + approval.ms),
          capped: approval.capped,
        }
      : { kind: 'stop' as const };
  log('info', 'owner link opened', claims);
  return respond(200, renderConfirmPage({ token, view, ask, mode, tagPrefix, expiresAt: claims.expiresAt }));
}

/**
 * POST: the token is used up first (so a concurrent or replayed POST finds it used), then the effect runs. An
 * effect that changed nothing (its warning no longer pending, a re-check that recorded nothing) gives the token
 * back, so the link is used up exactly by the POST that acts.
 */
async function carryOut(claims: TokenClaims, deps: OwnerActionDeps, now: Date, log: Log) {
  const use = { instanceId: claims.instanceId, tokenId: claims.id, action: claims.action, expiresAt: claims.expiresAt };
  if (!(await deps.ledger.consume(use))) {
    log('warn', 'owner link refused: used', claims, { refusal: 'used' });
    return refuse('used');
  }
  const giveBack = () => deps.ledger.release(claims.instanceId, claims.id);
  let result: EffectResult;
  try {
    const keep = keepAsked(claims, deps.config);
    const approval = approvalAsked(claims, deps.config);
    result = keep
      ? await deps.effects.keep(claims, keep.ms, now)
      : approval
        ? await deps.effects.approve(claims, approval.ms, now)
        : await deps.effects.stop(claims, now);
  } catch (error) {
    // Given back so the owner can try again; a stop that did start is finished by the act path's own recovery.
    await giveBack().catch(() => {});
    throw error;
  }
  const unchanged = result.outcome !== 'done' && result.events.length === 0;
  const givenBack =
    unchanged &&
    (await giveBack().then(
      () => true,
      (error: unknown) => {
        log('error', 'owner link not given back', claims, { error: (error as Error).message });
        return false;
      },
    ));
  if (result.outcome === 'stale') {
    log('warn', 'owner link refused: stale', claims, { refusal: 'stale' });
    return refuse('stale');
  }
  log('info', `owner action ${result.outcome}`, claims, { outcome: result.outcome, events: result.events });
  const view = { instanceId: claims.instanceId, region: claims.region, name: null };
  const done = result.outcome === 'done';
  const dryRunStop = deps.config.mode === 'dry-run' && claims.action === 'stop' && done;
  const page = renderOutcomePage({ done, summary: result.summary, view, dryRunStop, stillWorks: givenBack });
  return respond(done ? 200 : 409, page);
}

/** The token of a posted form (`t=…`), or `null`. */
function formToken(body: string | null): string | null {
  if (body === null || body.length > MAX_BODY) return null;
  return new URLSearchParams(body).get('t');
}

export type { AccountScope, OwnerActionDeps, OwnerRequest, OwnerResponse };
export { handleOwnerRequest, PAGE_HEADERS };
