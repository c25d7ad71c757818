/**
 * Which account a verified link acts in: with one account only the endpoint's own; with `accounts` set, exactly the
 * targets a pass resolves (under the OUs with their child OUs, or listed, never excluded), the endpoint's own
 * account with its own role, every other through its spoke role with its OU path (for its overrides). An account
 * that is not a target is refused before any role is assumed or, when excluded, Organizations is asked.
 */
import { describe, expect, it } from 'vitest';
import { type ConfigInput, parseConfig } from '../../../shared/config';
import { routeAccount } from '../../../shared/owner-actions/account-route';

const HUB = '123456789012';
const ROOT = 'r-ab12';
const OU = 'ou-ab12-34cd56ef';
const CHILD = 'ou-ab12-77777777';
const OTHER_OU = 'ou-ab12-99999999';
/** The organization: where each account sits (outer to inner). */
const TREE: Record<string, readonly string[]> = {
  '111111111111': [ROOT, OU],
  '222222222222': [ROOT, OU],
  '333333333333': [ROOT, OU, CHILD],
  '444444444444': [ROOT, OTHER_OU],
  [HUB]: [ROOT],
};

function organization() {
  const asked: string[] = [];
  const ouPathOf = async (id: string) => {
    asked.push(id);
    return TREE[id] ?? null;
  };
  return { asked, ouPathOf };
}

const withAccounts = (accounts: NonNullable<ConfigInput['accounts']>) => parseConfig({ accounts });

describe('routing a verified link to its account', () => {
  it('acts only in its own account with one account, and refuses any other', async () => {
    const config = parseConfig({});
    expect(await routeAccount(config, HUB, { homeAccountId: HUB })).toEqual({ kind: 'own', ouPath: [] });
    expect(await routeAccount(config, '', { homeAccountId: HUB })).toEqual({ kind: 'own', ouPath: [] });
    expect((await routeAccount(config, '111111111111', { homeAccountId: HUB })).kind).toBe('refused');
    // The endpoint's account unknown (serve-links): not checked, as before.
    expect((await routeAccount(config, '111111111111')).kind).toBe('own');
  });

  it.each([
    ['an account of the OU', '111111111111', { kind: 'member', accountId: '111111111111', ouPath: [ROOT, OU] }],
    [
      'an account of a child OU',
      '333333333333',
      { kind: 'member', accountId: '333333333333', ouPath: [ROOT, OU, CHILD] },
    ],
    [
      'an account listed in ids, outside the OUs',
      '555555555555',
      { kind: 'member', accountId: '555555555555', ouPath: [] },
    ],
  ])('routes %s through its spoke role', async (_case, account, route) => {
    const config = withAccounts({ organization: { ous: [OU] }, ids: ['555555555555'], exclude: ['222222222222'] });
    expect(await routeAccount(config, account, { homeAccountId: HUB, ...organization() })).toEqual(route);
  });

  it.each([
    ['an excluded account of the OU', '222222222222'],
    ['an account of another OU', '444444444444'],
    ['an account outside the organization', '999999999999'],
    ["the hub's own account when it is not a target", HUB],
  ])('refuses %s', async (_case, account) => {
    const config = withAccounts({ organization: { ous: [OU] }, exclude: ['222222222222'] });
    const org = organization();
    const route = await routeAccount(config, account, { homeAccountId: HUB, ...org });
    expect(route).toEqual({ kind: 'refused', reason: `account ${account} is not a target of the config` });
  });

  it('never asks Organizations about an excluded account', async () => {
    const config = withAccounts({ organization: { ous: [] }, exclude: ['222222222222'] });
    const org = organization();
    expect((await routeAccount(config, '222222222222', { homeAccountId: HUB, ...org })).kind).toBe('refused');
    expect(org.asked).toEqual([]);
  });

  it('takes every account of the organization with ous [] and only the listed ones without discovery', async () => {
    const whole = withAccounts({ organization: { ous: [] } });
    expect((await routeAccount(whole, '444444444444', { homeAccountId: HUB, ...organization() })).kind).toBe('member');
    expect((await routeAccount(whole, '999999999999', { homeAccountId: HUB, ...organization() })).kind).toBe('refused');
    const listed = withAccounts({ ids: ['111111111111'] });
    const org = organization();
    expect((await routeAccount(listed, '111111111111', { homeAccountId: HUB, ...org })).kind).toBe('member');
    expect((await routeAccount(listed, '444444444444', { homeAccountId: HUB, ...org })).kind).toBe('refused');
    expect(org.asked).toEqual([]);
  });

  it("acts with its own role in the hub's account when that account is a target", async () => {
    const config = withAccounts({ ids: [HUB, '111111111111'] });
    expect(await routeAccount(config, HUB, { homeAccountId: HUB })).toEqual({ kind: 'own', ouPath: [] });
  });
});
