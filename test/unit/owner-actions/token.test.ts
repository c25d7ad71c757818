/**
 * Owner-action tokens: a genuine token verifies, and any change to it — payload (the warning it came with too), MAC,
 * a key of someone else's — is refused as forged; a genuine one past its expiry is refused as expired, a genuine one
 * of the first version (no warning in it) as outdated; nothing else gets through.
 */
import { describe, expect, it } from 'vitest';
import {
  decodePayload,
  encodePayload,
  keepDuration,
  newTokenId,
  signToken,
  type TokenClaims,
  verifyToken,
} from '../../../shared/owner-actions/token';
import { memoryMacKey } from '../../helpers/memory-mac-key';

const NOW = new Date('2026-11-21T13:00:00.000Z');
const claims: TokenClaims = {
  account: '123456789012',
  region: 'us-east-1',
  instanceId: 'i-0123456789abcdef0',
  action: 'keep:4h',
  expiresAt: new Date('2026-11-22T13:30:00.000Z'),
  id: newTokenId(),
  warning: {
    rule: 'never-used',
    actAt: new Date('2026-11-21T13:30:00.000Z'),
    warnedAt: new Date('2026-11-21T13:00:00.000Z'),
    launchTime: new Date('2026-11-21T12:20:00.000Z'),
  },
};

/** The token with its payload's JSON changed by `edit` but its MAC kept. */
function withPayload(token: string, edit: (payload: Record<string, unknown>) => void): string {
  const [payload, mac] = token.split('.');
  const json = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
  edit(json);
  return `${Buffer.from(JSON.stringify(json)).toString('base64url')}.${mac}`;
}

describe('owner-action tokens', () => {
  it('verifies a token it signed, with every claim back', async () => {
    const key = memoryMacKey();
    const token = await signToken(claims, key);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    await expect(verifyToken(token, key, NOW)).resolves.toEqual({ ok: true, claims });
  });

  it('gives every token a new random id', () => {
    const ids = new Set(Array.from({ length: 200 }, newTokenId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it.each([
    ['the instance', (p: Record<string, unknown>) => (p.instance = 'i-0fedcba9876543210')],
    ['the action', (p: Record<string, unknown>) => (p.action = 'stop')],
    ['the duration', (p: Record<string, unknown>) => (p.action = 'keep:7d')],
    ['the expiry', (p: Record<string, unknown>) => (p.exp = (p.exp as number) + 86_400)],
    ['the account', (p: Record<string, unknown>) => (p.acct = '210987654321')],
    ['the region', (p: Record<string, unknown>) => (p.region = 'eu-west-1')],
    ['the id', (p: Record<string, unknown>) => (p.id = newTokenId())],
    ["the warning's rule", (p: Record<string, unknown>) => (p.rule = 'max-runtime')],
    ["the warning's planned time", (p: Record<string, unknown>) => (p.act = (p.act as number) + 3_600)],
    ["the warning's issue time", (p: Record<string, unknown>) => (p.warned = (p.warned as number) + 60)],
    ["the instance's launch", (p: Record<string, unknown>) => (p.launch = (p.launch as number) - 60)],
  ])('refuses as forged a token whose %s was changed', async (_what, edit) => {
    const key = memoryMacKey();
    const token = withPayload(await signToken(claims, key), edit);
    await expect(verifyToken(token, key, NOW)).resolves.toEqual({ ok: false, refusal: 'forged' });
  });

  it('refuses as forged a token signed by another key, or with its MAC altered', async () => {
    const key = memoryMacKey();
    const other = await signToken(claims, memoryMacKey());
    await expect(verifyToken(other, key, NOW)).resolves.toMatchObject({ refusal: 'forged' });
    const token = await signToken(claims, key);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const altered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    await expect(verifyToken(altered, key, NOW)).resolves.toMatchObject({ refusal: 'forged' });
  });

  it('refuses an expired genuine token as expired, and an expired forged one as forged', async () => {
    const key = memoryMacKey();
    const token = await signToken(claims, key);
    const after = new Date(claims.expiresAt.getTime());
    await expect(verifyToken(token, key, after)).resolves.toEqual({ ok: false, refusal: 'expired', claims });
    const forged = withPayload(token, (p) => (p.instance = 'i-0fedcba9876543210'));
    await expect(verifyToken(forged, key, after)).resolves.toEqual({ ok: false, refusal: 'forged' });
  });

  it('carries the warning it came with in whole seconds, and refuses a genuine first-version token as outdated', async () => {
    const key = memoryMacKey();
    const token = await signToken(claims, key);
    const payload = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
    expect(payload).toMatchObject({ v: 2, rule: 'never-used', act: 1_795_267_800, launch: 1_795_263_600 });
    // A version-1 payload (no warning) under a genuine MAC: refused, never read as a link to whatever is pending.
    const { v: _v, rule: _r, act: _a, warned: _w, launch: _l, ...first } = payload;
    const v1 = Buffer.from(JSON.stringify({ ...first, v: 1 })).toString('base64url');
    const old = `${v1}.${Buffer.from(await key.generate(Buffer.from(v1, 'utf8'))).toString('base64url')}`;
    await expect(verifyToken(old, key, NOW)).resolves.toEqual({ ok: false, refusal: 'outdated' });
  });

  it.each([
    ['empty', ''],
    ['no MAC', 'abc'],
    ['three parts', 'a.b.c'],
    ['not base64url', 'ab$.cd'],
    ['huge', `${'a'.repeat(5_000)}.b`],
  ])('refuses a malformed token (%s) without asking the key', async (_what, token) => {
    const key = memoryMacKey();
    await expect(verifyToken(token, key, NOW)).resolves.toEqual({ ok: false, refusal: 'malformed' });
    expect(key.calls.verify).toBe(0);
  });

  it('refuses a MAC of the wrong length as forged without asking the key', async () => {
    const key = memoryMacKey();
    const token = `${encodePayload(claims)}.${Buffer.alloc(16).toString('base64url')}`;
    await expect(verifyToken(token, key, NOW)).resolves.toEqual({ ok: false, refusal: 'forged' });
    expect(key.calls.verify).toBe(0);
  });

  it('reads back only payloads it writes', () => {
    expect(decodePayload(encodePayload(claims))).toEqual(claims);
    const bad = (payload: object) => decodePayload(Buffer.from(JSON.stringify(payload)).toString('base64url'));
    expect(bad({ v: 3 })).toBeNull();
    expect(decodePayload(encodePayload({ ...claims, warning: { ...claims.warning, rule: 'Idle!' } }))).toBeNull();
    expect(
      bad({
        v: 2,
        acct: '',
        region: 'us-east-1',
        instance: 'i-0123456789abcdef0',
        action: 'terminate',
        exp: 1,
        id: newTokenId(),
        rule: 'idle',
        act: 1,
        warned: 1,
        launch: 1,
      }),
    ).toBeNull();
    expect(decodePayload('not json')).toBeNull();
  });

  it('names the duration of a keep and none for stop', () => {
    expect(keepDuration('keep:24h')).toBe('24h');
    expect(keepDuration('stop')).toBeNull();
  });
});
