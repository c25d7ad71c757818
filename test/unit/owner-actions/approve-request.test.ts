/**
 * An approver's approve link at the endpoint: GET shows a page naming the instance, its type and owner and until
 * when it may run (that becomes its deadline) and changes nothing; POST approves once, for the link's duration
 * capped at maxRuntime.ceiling; a POST that changes nothing leaves the link usable; a stale one is 410.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import { handleOwnerRequest, type OwnerActionDeps } from '../../../shared/owner-actions/handle-request';
import type { EffectResult, InstanceView, OwnerEffects, TokenLedger } from '../../../shared/owner-actions/ports';
import { newTokenId, signToken, type TokenClaims } from '../../../shared/owner-actions/token';
import { memoryMacKey } from '../../helpers/memory-mac-key';

const NOW = new Date('2026-11-21T13:05:00.000Z');
const H = 3_600_000;
const key = memoryMacKey();

const claimsFor = (action: TokenClaims['action']): TokenClaims => ({
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

function fakes(config = parseConfig({ mode: 'enforce', gating: { threshold: 200 } })) {
  const calls: string[] = [];
  const used = new Set<string>();
  const ledger: TokenLedger = {
    isUsed: async (_instance, id) => used.has(id),
    consume: async ({ tokenId }) => {
      if (used.has(tokenId)) return false;
      used.add(tokenId);
      return true;
    },
    release: async (_instance, id) => {
      used.delete(id);
    },
  };
  const view: InstanceView = {
    instanceId: 'i-0123456789abcdef0',
    region: 'us-east-1',
    instanceType: 'p4d.24xlarge',
    state: 'running',
    owner: 'dana@example.com',
    name: 'llm-pretrain',
    warning: { rule: 'unapproved', action: 'stop', actAt: new Date('2026-11-21T13:15:00.000Z') },
    stale: false,
  };
  let answer: EffectResult = { outcome: 'done', summary: 'Approved until then.', events: ['APPROVED', 'CLEARED'] };
  const effects: OwnerEffects = {
    view: async () => view,
    keep: async () => {
      calls.push('keep');
      return { outcome: 'done', summary: 'Kept.', events: ['SNOOZED'] };
    },
    stop: async () => {
      calls.push('stop');
      return { outcome: 'done', summary: 'Stopped.', events: ['STOPPED'] };
    },
    approve: async (_claims, ms) => {
      calls.push(`approve ${ms}`);
      return answer;
    },
  };
  const log = { info: () => {}, warn: () => {}, error: () => {} };
  const deps: OwnerActionDeps = { config, key, ledger, effects, log, now: () => NOW };
  return { deps, calls, used, view, answerWith: (next: EffectResult) => (answer = next) };
}

const get = (token: string) => ({ method: 'GET', query: new URLSearchParams({ t: token }), body: null });
const post = (token: string) => ({
  method: 'POST',
  query: new URLSearchParams(),
  body: new URLSearchParams({ t: token }).toString(),
});

describe('an approve link at the endpoint', () => {
  let f: ReturnType<typeof fakes>;
  beforeEach(() => {
    f = fakes();
  });

  it('shows the instance, its type and owner, and until when it may run, and changes nothing on GET', async () => {
    const token = await signToken(claimsFor('approve:24h'), key);
    for (let i = 0; i < 2; i++) {
      const page = await handleOwnerRequest(get(token), f.deps);
      expect(page.status).toBe(200);
      expect(page.body).toContain('Approve i-0123456789abcdef0 (p4d.24xlarge) for 24h?');
      expect(page.body).toContain('llm-pretrain');
      expect(page.body).toContain('dana@example.com');
      expect(page.body).toContain('2026-11-22 13:05 UTC');
      expect(page.body).toContain('that becomes its deadline');
      expect(page.body).toContain('gpu-reaper:approved-until');
      expect(page.body).toContain('<button type="submit">Approve for 24h</button>');
    }
    expect(f.calls).toEqual([]);
    expect(f.used.size).toBe(0);
  });

  it('approves on POST for the link’s duration, once', async () => {
    const token = await signToken(claimsFor('approve:72h'), key);
    const done = await handleOwnerRequest(post(token), f.deps);
    expect(done.status).toBe(200);
    expect(done.body).toContain('Approved until then.');
    expect((await handleOwnerRequest(post(token), f.deps)).status).toBe(410);
    expect(f.calls).toEqual([`approve ${72 * H}`]);
  });

  it('caps an approval at maxRuntime.ceiling, on the page and in the effect', async () => {
    const deps = { ...f.deps, config: parseConfig({ gating: { threshold: 200 }, maxRuntime: { ceiling: '48h' } }) };
    const token = await signToken(claimsFor('approve:72h'), key);
    const page = await handleOwnerRequest(get(token), deps);
    expect(page.body).toContain('for 48h?');
    expect(page.body).toContain('the longest run allowed here');
    await handleOwnerRequest(post(token), deps);
    expect(f.calls).toEqual([`approve ${48 * H}`]);
  });

  it('leaves the link usable when its POST changed nothing', async () => {
    const token = await signToken(claimsFor('approve:24h'), key);
    f.answerWith({ outcome: 'refused', summary: 'It is stopped: there is no run to approve.', events: [] });
    const refused = await handleOwnerRequest(post(token), f.deps);
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('this link was not used up');
    expect(f.used.size).toBe(0);
  });

  it('answers a stale approve link with 410 and changes nothing', async () => {
    const token = await signToken(claimsFor('approve:24h'), key);
    f.answerWith({ outcome: 'stale', summary: 'no longer pending', events: [] });
    const deps = { ...f.deps, effects: { ...f.deps.effects, view: async () => ({ ...f.view, stale: true }) } };
    expect((await handleOwnerRequest(get(token), deps)).status).toBe(410);
    expect((await handleOwnerRequest(post(token), deps)).status).toBe(410);
    expect(f.used.size).toBe(0);
  });

  it('offers an owner’s keep no button on an unapproved warning, and says an approver must approve it', async () => {
    const keepToken = await signToken({ ...claimsFor('keep:4h') }, key);
    const page = await handleOwnerRequest(get(keepToken), f.deps);
    expect(page.status).toBe(409);
    expect(page.body).toContain('A snooze does not hold back a <strong>unapproved</strong> warning');
    expect(page.body).toContain('ask an approver to approve it');
    expect(page.body).not.toContain('<form');
    expect(f.calls).toEqual([]);
  });
});
