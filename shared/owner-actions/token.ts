/**
 * Owner-action tokens: what a link in a WARNED message carries. A token is `base64url(payload) "." base64url(mac)`,
 * the payload a small JSON document (account, region, instance, action, expiry, unique id, and the warning the link
 * came with) and the MAC a KMS HMAC over the payload's base64url text exactly as sent, so nothing is re-serialized
 * before it is checked. The secret stays in KMS: this module only sees a {@link MacKey} that generates and verifies.
 */
import { randomBytes } from 'node:crypto';

/**
 * What a link asks for: an owner's keep for a duration (`keep:4h`) or stop now, or an approver's approval of an
 * expensive run for a duration (`approve:24h`, only ever in the approvers' copy). The action is signed with the rest:
 * an owner's token can never be turned into an approval.
 */
type OwnerActionName = 'stop' | `keep:${string}` | `approve:${string}`;

/** The warning a link came with: the link acts only while this warning is the one pending (link-binding.ts). */
interface LinkWarning {
  readonly rule: string;
  /** The planned action as the message states it. */
  readonly actAt: Date;
  /** When the warning was issued (the WARNED event's `at`): a message delivered late names a later `actAt`. */
  readonly warnedAt: Date;
  /** The instance's LaunchTime when warned: a restart ends the warning. */
  readonly launchTime: Date;
}

/** The signed facts of one link. */
interface TokenClaims {
  /** The account of the instance (`''` when the reaper did not know it). */
  readonly account: string;
  readonly region: string;
  readonly instanceId: string;
  readonly action: OwnerActionName;
  /** The token is refused from this instant on (the planned action + 24h). */
  readonly expiresAt: Date;
  /** Unique and random: the token's single use is recorded under it. */
  readonly id: string;
  readonly warning: LinkWarning;
}

/** Generates and verifies MACs with a key whose secret it never shows (KMS `GenerateMac`/`VerifyMac`). */
interface MacKey {
  generate(message: Uint8Array): Promise<Uint8Array>;
  /** True when `mac` is the key's MAC of `message`; false for any other MAC. */
  verify(message: Uint8Array, mac: Uint8Array): Promise<boolean>;
}

/**
 * Why a token is refused: not ours or altered (403), past its expiry (410), or genuine but of the first version,
 * which named no warning (410: its warning cannot be told apart from a later one).
 */
type TokenRefusal = 'malformed' | 'forged' | 'expired' | 'outdated';

/** What {@link verifyToken} answers. */
type TokenCheck =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly refusal: TokenRefusal; readonly claims?: TokenClaims };

/** Longest token looked at; a real one is about 300 characters. */
const MAX_TOKEN = 2_048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ACTION = /^(stop|(keep|approve):\d{1,5}[mhd])$/;
const INSTANCE_ID = /^i-[0-9a-f]{8,32}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT = /^(\d{12})?$/;
const ID = /^[A-Za-z0-9_-]{16,64}$/;
const RULE = /^[a-z][a-z-]{0,31}$/;
/** The payload version this module writes; version 1 named no warning. */
const VERSION = 2;

/** A fresh random token id (128 bits). */
function newTokenId(): string {
  return randomBytes(16).toString('base64url');
}

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);
const isEpochSeconds = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

/** The payload as sent: short keys, every instant in epoch seconds. */
function encodePayload(claims: TokenClaims): string {
  const payload = {
    v: VERSION,
    acct: claims.account,
    region: claims.region,
    instance: claims.instanceId,
    action: claims.action,
    exp: epochSeconds(claims.expiresAt),
    id: claims.id,
    rule: claims.warning.rule,
    act: epochSeconds(claims.warning.actAt),
    warned: epochSeconds(claims.warning.warnedAt),
    launch: epochSeconds(claims.warning.launchTime),
  };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The payload's JSON object, or `null`. */
function payloadObject(text: string): Record<string, unknown> | null {
  try {
    const raw: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The claims of a payload, or `null` when it is not one this module writes. */
function decodePayload(text: string): TokenClaims | null {
  const p = payloadObject(text);
  if (p === null || p.v !== VERSION) return null;
  const matches = (value: unknown, pattern: RegExp) => typeof value === 'string' && pattern.test(value);
  if (![p.exp, p.act, p.warned, p.launch].every(isEpochSeconds)) return null;
  if (!matches(p.acct, ACCOUNT) || !matches(p.region, REGION) || !matches(p.instance, INSTANCE_ID)) return null;
  if (!matches(p.action, ACTION) || !matches(p.id, ID) || !matches(p.rule, RULE)) return null;
  const at = (value: unknown) => new Date((value as number) * 1000);
  return {
    account: p.acct as string,
    region: p.region as string,
    instanceId: p.instance as string,
    action: p.action as OwnerActionName,
    expiresAt: at(p.exp),
    id: p.id as string,
    warning: { rule: p.rule as string, actAt: at(p.act), warnedAt: at(p.warned), launchTime: at(p.launch) },
  };
}

/**
 * Signs `claims` into a token.
 *
 * @example await signToken({ account, region, instanceId, action: 'keep:4h', expiresAt, id: newTokenId(), warning }, key)
 */
async function signToken(claims: TokenClaims, key: MacKey): Promise<string> {
  const payload = encodePayload(claims);
  const mac = await key.generate(Buffer.from(payload, 'utf8'));
  return `${payload}.${Buffer.from(mac).toString('base64url')}`;
}

/**
 * Checks a token: its shape, then its MAC (KMS), then its expiry at `now`. An altered token is `forged` whatever
 * its expiry says (an unverified payload tells nothing); only a genuine token is ever `expired` or `outdated`.
 */
async function verifyToken(token: string, key: MacKey, now: Date): Promise<TokenCheck> {
  if (token.length === 0 || token.length > MAX_TOKEN) return { ok: false, refusal: 'malformed' };
  const [payload, mac, ...rest] = token.split('.');
  if (!payload || !mac || rest.length > 0 || !BASE64URL.test(payload) || !BASE64URL.test(mac)) {
    return { ok: false, refusal: 'malformed' };
  }
  const macBytes = Buffer.from(mac, 'base64url');
  // An HMAC-SHA-256 is 32 bytes; anything else cannot verify, so KMS is not asked.
  if (macBytes.length !== 32) return { ok: false, refusal: 'forged' };
  if (!(await key.verify(Buffer.from(payload, 'utf8'), macBytes))) return { ok: false, refusal: 'forged' };
  const claims = decodePayload(payload);
  if (claims === null) {
    return { ok: false, refusal: payloadObject(payload)?.v === 1 ? 'outdated' : 'malformed' };
  }
  if (now.getTime() >= claims.expiresAt.getTime()) return { ok: false, refusal: 'expired', claims };
  return { ok: true, claims };
}

/** The duration a `keep:<d>` action asks for, as its text (`4h`); `null` for any other action. */
function keepDuration(action: OwnerActionName): string | null {
  return action.startsWith('keep:') ? action.slice('keep:'.length) : null;
}

/** The duration an `approve:<d>` action asks for, as its text (`24h`); `null` for any other action. */
function approveDuration(action: OwnerActionName): string | null {
  return action.startsWith('approve:') ? action.slice('approve:'.length) : null;
}

export type { LinkWarning, MacKey, OwnerActionName, TokenCheck, TokenClaims, TokenRefusal };
export { approveDuration, decodePayload, encodePayload, keepDuration, newTokenId, signToken, verifyToken };
