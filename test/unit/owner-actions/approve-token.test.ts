/**
 * Approve tokens: `approve:<d>` is signed and verified like an owner's action, with the same duration grammar, and
 * nothing about it can be changed: not its duration, not its instance, and an owner's keep or stop token can never
 * be turned into an approval (nor an approval into a keep).
 */
import { describe, expect, it } from 'vitest';
import {
  approveDuration,
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
const claims = (action: TokenClaims['action']): TokenClaims => ({
  account: '123456789012',
  region: 'us-east-1',
  instanceId: 'i-0123456789abcdef0',
  action,
  expiresAt: new Date('2026-11-22T13:15:00.000Z'),
  id: newTokenId(),
  warning: {
    rule: 'unapproved',
    actAt: new Date('2026-11-21T13:15:00.000Z'),
    warnedAt: new Date('2026-11-21T13:00:00.000Z'),
    launchTime: new Date('2026-11-21T12:58:00.000Z'),
  },
});

/** The token with its payload's action replaced, its MAC kept. */
function withAction(token: string, action: string): string {
  const [payload, mac] = token.split('.');
  const json = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
  return `${Buffer.from(JSON.stringify({ ...json, action })).toString('base64url')}.${mac}`;
}

describe('approve tokens', () => {
  it.each(['approve:24h', 'approve:72h', 'approve:90m', 'approve:3d'] as const)(
    'signs and verifies %s with every claim back',
    async (action) => {
      const key = memoryMacKey();
      const signed = claims(action);
      await expect(verifyToken(await signToken(signed, key), key, NOW)).resolves.toEqual({ ok: true, claims: signed });
    },
  );

  it('reads only the duration grammar keep uses', () => {
    for (const action of ['approve:', 'approve:24', 'approve:1w', 'approve:24h;stop', 'approve:123456h', 'approve']) {
      expect(
        decodePayload(encodePayload({ ...claims('approve:24h'), action: action as TokenClaims['action'] })),
      ).toBeNull();
    }
  });

  it.each([
    ['a longer approval', 'approve:72h'],
    ['a keep', 'keep:24h'],
    ['a stop', 'stop'],
  ])('refuses as forged an approve token changed into %s', async (_what, action) => {
    const key = memoryMacKey();
    const token = withAction(await signToken(claims('approve:24h'), key), action);
    await expect(verifyToken(token, key, NOW)).resolves.toEqual({ ok: false, refusal: 'forged' });
  });

  it.each(['keep:4h', 'keep:24h', 'stop'] as const)(
    'never lets an owner token (%s) be turned into an approval',
    async (action) => {
      const key = memoryMacKey();
      const token = withAction(await signToken(claims(action), key), 'approve:24h');
      await expect(verifyToken(token, key, NOW)).resolves.toEqual({ ok: false, refusal: 'forged' });
    },
  );

  it('refuses an approve token of another key, and one for another instance, as forged', async () => {
    const key = memoryMacKey();
    const other = await signToken(claims('approve:24h'), memoryMacKey());
    await expect(verifyToken(other, key, NOW)).resolves.toMatchObject({ ok: false, refusal: 'forged' });
    const [payload, mac] = (await signToken(claims('approve:24h'), key)).split('.');
    const json = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    const moved = `${Buffer.from(JSON.stringify({ ...json, instance: 'i-0fedcba9876543210' })).toString('base64url')}.${mac}`;
    await expect(verifyToken(moved, key, NOW)).resolves.toEqual({ ok: false, refusal: 'forged' });
  });

  it('names the duration of an approval, and none for a keep or stop (nor a keep for an approval)', () => {
    expect(approveDuration('approve:72h')).toBe('72h');
    expect(approveDuration('keep:4h')).toBeNull();
    expect(approveDuration('stop')).toBeNull();
    expect(keepDuration('approve:24h')).toBeNull();
  });
});
