/**
 * The owner-action endpoint's contract with in-memory collaborators: a GET never acts (nor uses the token up),
 * only the POST does, once; a changed token is 403, an expired or used one 410, one whose warning is no longer
 * pending 410, and none of those change anything. A POST that changes nothing leaves the link unused.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import { handleOwnerRequest, type OwnerActionDeps } from '../../../shared/owner-actions/handle-request';
import type { EffectResult, InstanceView, OwnerEffects, TokenLedger } from '../../../shared/owner-actions/ports';
import { newTokenId, signToken, type TokenClaims } from '../../../shared/owner-actions/token';
import { memoryMacKey } from '../../helpers/memory-mac-key';

const NOW = new Date('2026-11-21T13:00:00.000Z');
const key = memoryMacKey();

function claimsFor(action: TokenClaims['action'], expiresAt = new Date('2026-11-22T13:30:00.000Z')): TokenClaims {
  return {
    account: '123456789012',
    region: 'us-east-1',
    instanceId: 'i-0123456789abcdef0',
    action,
    expiresAt,
    id: newTokenId(),
    warning: {
      rule: 'idle',
      actAt: new Date('2026-11-21T13:30:00.000Z'),
      warnedAt: new Date('2026-11-21T13:00:00.000Z'),
      launchTime: new Date('2026-11-21T09:00:00.000Z'),
    },
  };
}

/** Records every effect and every use of a token. */
function fakes() {
  const calls: string[] = [];
  const used = new Set<string>();
  const ledger: TokenLedger = {
    isUsed: async (_instance, id) => used.has(id),
    consume: async ({ tokenId }) => {
      calls.push(`consume ${tokenId}`);
      if (used.has(tokenId)) return false;
      used.add(tokenId);
      return true;
    },
    release: async (_instance, id) => {
      calls.push(`release ${id}`);
      used.delete(id);
    },
  };
  const view: InstanceView = {
    instanceId: 'i-0123456789abcdef0',
    region: 'us-east-1',
    instanceType: 'g5.xlarge',
    state: 'running',
    owner: '<b>carol</b>@example.com',
    name: 'jupyter-notebook',
    warning: { rule: 'idle', action: 'stop', actAt: new Date('2026-11-21T13:30:00.000Z') },
    stale: false,
  };
  const effects: OwnerEffects = {
    view: async () => view,
    keep: async (_claims, ms) => {
      calls.push(`keep ${ms}`);
      return { outcome: 'done', summary: 'Kept.', events: ['SNOOZED', 'CLEARED'] };
    },
    stop: async () => {
      calls.push('stop');
      return { outcome: 'done', summary: 'Stopped.', events: ['STOPPED'] };
    },
    approve: async (_claims, ms) => {
      calls.push(`approve ${ms}`);
      return { outcome: 'done', summary: 'Approved.', events: ['APPROVED', 'CLEARED'] };
    },
  };
  const logged: { level: string; message: string; attributes?: Record<string, unknown> }[] = [];
  const log = {
    info: (message: string, attributes?: Record<string, unknown>) =>
      logged.push({ level: 'info', message, attributes }),
    warn: (message: string, attributes?: Record<string, unknown>) =>
      logged.push({ level: 'warn', message, attributes }),
    error: (message: string, attributes?: Record<string, unknown>) =>
      logged.push({ level: 'error', message, attributes }),
  };
  const deps: OwnerActionDeps = { config: parseConfig({ mode: 'enforce' }), key, ledger, effects, log, now: () => NOW };
  return { deps, calls, logged, used, view };
}

const get = (token: string) => ({ method: 'GET', query: new URLSearchParams({ t: token }), body: null });
const post = (token: string) => ({
  method: 'POST',
  query: new URLSearchParams(),
  body: new URLSearchParams({ t: token }).toString(),
});

describe('the owner-action endpoint', () => {
  let f: ReturnType<typeof fakes>;
  beforeEach(() => {
    f = fakes();
  });

  it('never acts on a GET: it shows the confirmation page and leaves the token unused', async () => {
    const token = await signToken(claimsFor('keep:4h'), key);
    for (let i = 0; i < 3; i++) {
      const response = await handleOwnerRequest(get(token), f.deps);
      expect(response.status).toBe(200);
      expect(response.body).toContain('Keep i-0123456789abcdef0 for 4h?');
      expect(response.body).toContain(`name="t" value="${token}"`);
      expect(response.body).toContain('&lt;b&gt;carol&lt;/b&gt;@example.com');
    }
    expect(f.calls).toEqual([]);
  });

  it('acts on the POST once, and answers a replay with 410 and nothing done', async () => {
    const token = await signToken(claimsFor('keep:4h'), key);
    const first = await handleOwnerRequest(post(token), f.deps);
    expect(first.status).toBe(200);
    expect(first.body).toContain('Kept.');
    const again = await handleOwnerRequest(post(token), f.deps);
    expect(again.status).toBe(410);
    expect(again.body).toContain('This link was used already');
    expect(f.calls.filter((call) => call.startsWith('keep'))).toEqual([`keep ${4 * 3_600_000}`]);
    // A used link opened again says so rather than offering a button that cannot work.
    expect((await handleOwnerRequest(get(token), f.deps)).status).toBe(410);
  });

  it('caps a keep at snooze.ceiling', async () => {
    const deps = { ...f.deps, config: parseConfig({ snooze: { ceiling: '6h' } }) };
    const token = await signToken(claimsFor('keep:24h'), key);
    expect((await handleOwnerRequest(get(token), deps)).body).toContain('Keep i-0123456789abcdef0 for 6h?');
    await handleOwnerRequest(post(token), deps);
    expect(f.calls).toContain(`keep ${6 * 3_600_000}`);
  });

  it('stops on the POST of a stop link', async () => {
    const token = await signToken(claimsFor('stop'), key);
    expect((await handleOwnerRequest(get(token), f.deps)).body).toContain('Stop i-0123456789abcdef0 now?');
    expect((await handleOwnerRequest(post(token), f.deps)).status).toBe(200);
    expect(f.calls.filter((call) => call === 'stop')).toHaveLength(1);
  });

  it('answers a changed token with 403 and changes nothing, GET or POST, and logs it', async () => {
    const token = await signToken(claimsFor('keep:4h'), key);
    const [payload, mac] = token.split('.');
    const json = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    json.action = 'stop';
    const forged = `${Buffer.from(JSON.stringify(json)).toString('base64url')}.${mac}`;
    for (const request of [get(forged), post(forged)]) {
      const response = await handleOwnerRequest(request, f.deps);
      expect(response.status).toBe(403);
      expect(response.body).toContain('This link is not valid');
    }
    expect(f.calls).toEqual([]);
    expect(f.logged.filter((entry) => entry.message === 'owner link refused: forged')).toHaveLength(2);
  });

  it('answers an expired token with 410 and changes nothing', async () => {
    const token = await signToken(claimsFor('stop', new Date(NOW.getTime() - 1)), key);
    for (const request of [get(token), post(token)]) {
      const response = await handleOwnerRequest(request, f.deps);
      expect(response.status).toBe(410);
      expect(response.body).toContain('This link has expired');
    }
    expect(f.calls).toEqual([]);
  });

  it('refuses a token of another account with 403', async () => {
    const token = await signToken(claimsFor('stop'), key);
    const response = await handleOwnerRequest(post(token), { ...f.deps, accountId: '999999999999' });
    expect(response.status).toBe(403);
    expect(f.calls).toEqual([]);
  });

  it('refuses a token for an account the endpoint does not cover with 403 and a page that says so', async () => {
    const token = await signToken(claimsFor('keep:4h'), key);
    const asked: string[] = [];
    const accountFor = async (account: string) => {
      asked.push(account);
      return null;
    };
    for (const request of [get(token), post(token)]) {
      const response = await handleOwnerRequest(request, { ...f.deps, accountFor });
      expect(response.status).toBe(403);
      expect(response.body).toContain('an account gpu-reaper does not cover');
    }
    expect(asked).toEqual(['123456789012', '123456789012']);
    expect(f.calls).toEqual([]);
    expect(f.logged.at(-1)?.attributes).toMatchObject({ refusal: 'account', account: '123456789012' });
  });

  it("acts with the config and effects of the token's account", async () => {
    const token = await signToken(claimsFor('keep:24h'), key);
    const member = { config: parseConfig({ mode: 'enforce', snooze: { ceiling: '8h' } }), effects: f.deps.effects };
    const response = await handleOwnerRequest(post(token), { ...f.deps, accountFor: async () => member });
    expect(response.status).toBe(200);
    // The member account's snooze ceiling, not the hub's.
    expect(f.calls).toContain(`keep ${8 * 3_600_000}`);
  });

  it('refuses a forged account in a token (its MAC no longer holds) before any account is looked at', async () => {
    const token = await signToken(claimsFor('keep:4h'), key);
    const [payload, mac] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const field = Object.keys(claims).find((k) => claims[k] === '123456789012')!;
    const forged = `${Buffer.from(JSON.stringify({ ...claims, [field]: '111111111111' })).toString('base64url')}.${mac}`;
    const asked: string[] = [];
    const accountFor = async (account: string) => {
      asked.push(account);
      return { config: f.deps.config, effects: f.deps.effects };
    };
    for (const request of [get(forged), post(forged)]) {
      const response = await handleOwnerRequest(request, { ...f.deps, accountFor });
      expect(response.status).toBe(403);
      expect(response.body).toContain('This link is not valid');
    }
    expect(asked).toEqual([]);
    expect(f.calls).toEqual([]);
  });

  it('answers other methods with 405 and a request without a token with 400', async () => {
    const token = await signToken(claimsFor('stop'), key);
    expect(
      (await handleOwnerRequest({ method: 'PUT', query: new URLSearchParams({ t: token }), body: null }, f.deps))
        .status,
    ).toBe(405);
    expect((await handleOwnerRequest({ method: 'GET', query: new URLSearchParams(), body: null }, f.deps)).status).toBe(
      400,
    );
    // The token of a POST is the form's, never the query's: a link cannot be turned into an action by a GET-able URL.
    expect(
      (await handleOwnerRequest({ method: 'POST', query: new URLSearchParams({ t: token }), body: null }, f.deps))
        .status,
    ).toBe(400);
    expect(f.calls).toEqual([]);
  });

  it('gives the token back when the effect fails, so the owner can try again', async () => {
    const token = await signToken(claimsFor('stop'), key);
    const failing = {
      ...f.deps,
      effects: { ...f.deps.effects, stop: async () => Promise.reject(new Error('throttled')) },
    };
    const response = await handleOwnerRequest(post(token), failing);
    expect(response.status).toBe(500);
    expect(f.calls.some((call) => call.startsWith('release'))).toBe(true);
    expect((await handleOwnerRequest(post(token), f.deps)).status).toBe(200);
  });

  it('answers a link whose warning is no longer pending with 410 on GET and POST, and leaves it unused', async () => {
    const token = await signToken(claimsFor('stop'), key);
    let stale = true;
    const deps: OwnerActionDeps = {
      ...f.deps,
      effects: {
        ...f.deps.effects,
        view: async () => ({ ...(await f.deps.effects.view(claimsFor('stop'))), stale }),
        stop: async (claims, now) =>
          stale ? { outcome: 'stale', summary: 'no longer pending', events: [] } : f.deps.effects.stop(claims, now),
      },
    };
    for (const request of [get(token), post(token)]) {
      const response = await handleOwnerRequest(request, deps);
      expect(response.status).toBe(410);
      expect(response.body).toContain('This warning is no longer pending');
      expect(response.body).toContain('Nothing was changed.');
      expect(response.body).not.toContain('<form');
    }
    expect(f.used.size).toBe(0);
    expect(f.logged.filter((entry) => entry.message === 'owner link refused: stale')).toHaveLength(2);
    // Not used up by the refusal: had it been pending again (it never is, in life), the link would still act.
    stale = false;
    expect((await handleOwnerRequest(post(token), deps)).status).toBe(200);
    expect(f.calls.filter((call) => call === 'stop')).toHaveLength(1);
  });

  it('leaves a link unused when its POST is refused with nothing recorded, and uses it up when it acts', async () => {
    const token = await signToken(claimsFor('keep:4h'), key);
    const answers: EffectResult[] = [
      { outcome: 'refused', summary: 'It is stopped: there is nothing to keep.', events: [] },
      { outcome: 'done', summary: 'Kept.', events: ['SNOOZED', 'CLEARED'] },
    ];
    const deps = { ...f.deps, effects: { ...f.deps.effects, keep: async () => answers.shift()! } };
    const refused = await handleOwnerRequest(post(token), deps);
    expect(refused.status).toBe(409);
    const body = refused.body;
    expect(body).toContain('It is stopped: there is nothing to keep.');
    expect(body).toContain('this link was not used up');
    expect(f.used.size).toBe(0);
    expect((await handleOwnerRequest(post(token), deps)).status).toBe(200);
    expect(f.used.size).toBe(1);
    expect((await handleOwnerRequest(post(token), deps)).status).toBe(410);
  });

  it('uses a link up when its refused POST still recorded something (the warning cleared by a re-check)', async () => {
    const token = await signToken(claimsFor('stop'), key);
    const deps = {
      ...f.deps,
      effects: {
        ...f.deps.effects,
        stop: async (): Promise<EffectResult> => ({
          outcome: 'refused',
          summary: 'Not stopped: opted out.',
          events: ['CLEARED'],
        }),
      },
    };
    const response = await handleOwnerRequest(post(token), deps);
    expect(response.status).toBe(409);
    expect(response.body).not.toContain('not used up');
    expect((await handleOwnerRequest(post(token), deps)).status).toBe(410);
  });

  it('acts once for two POSTs of one link at the same moment', async () => {
    const token = await signToken(claimsFor('keep:4h'), key);
    const answers = await Promise.all([
      handleOwnerRequest(post(token), f.deps),
      handleOwnerRequest(post(token), f.deps),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410]);
    expect(f.calls.filter((call) => call.startsWith('keep'))).toHaveLength(1);
  });

  it('offers no keep where a snooze would not hold the pending warning back, and says what would', async () => {
    const token = await signToken(claimsFor('keep:4h'), key);
    const view = {
      ...f.view,
      warning: { rule: 'max-runtime', action: 'stop', actAt: new Date('2026-11-21T15:00:00Z') },
    };
    const deps = { ...f.deps, effects: { ...f.deps.effects, view: async () => view } };
    const response = await handleOwnerRequest(get(token), deps);
    expect(response.status).toBe(409);
    expect(response.body).toContain('A snooze does not hold back a <strong>max-runtime</strong> warning');
    expect(response.body).toContain('raise its <code>gpu-reaper:max-runtime</code> tag');
    expect(response.body).not.toContain('<form');
    expect(response.body).not.toMatch(/withdraws the planned/);
    expect(f.calls).toEqual([]);
  });

  it('answers a genuine link of the first token version (no warning in it) with 410, out of date', async () => {
    const payload = Buffer.from(
      JSON.stringify({
        v: 1,
        acct: '123456789012',
        region: 'us-east-1',
        instance: 'i-0123456789abcdef0',
        action: 'stop',
        exp: Math.floor(NOW.getTime() / 1000) + 3_600,
        id: newTokenId(),
      }),
    ).toString('base64url');
    const token = `${payload}.${Buffer.from(await key.generate(Buffer.from(payload, 'utf8'))).toString('base64url')}`;
    for (const request of [get(token), post(token)]) {
      const response = await handleOwnerRequest(request, f.deps);
      expect(response.status).toBe(410);
      expect(response.body).toContain('This link is out of date');
    }
    expect(f.calls).toEqual([]);
  });

  it('sends pages that are never cached, framed or given a referrer', async () => {
    const token = await signToken(claimsFor('stop'), key);
    const { headers } = await handleOwnerRequest(get(token), f.deps);
    expect(headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    expect(headers['content-security-policy']).toContain("default-src 'none'");
  });
});
