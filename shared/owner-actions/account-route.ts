/**
 * Which account a link acts in, decided after its MAC was verified (a token whose account was changed is already a
 * forged MAC, refused before this). With one account (`accounts: null`) a token acts in the endpoint's own account
 * and names no other. With `accounts` set, the account must be a target of the config, exactly as a pass resolves
 * its targets (pass/targets/target.ts): under `accounts.organization.ous` (child OUs included; `[]` = the whole
 * organization) or in `accounts.ids`, and not in `accounts.exclude`. The endpoint's own account acts with its own
 * credentials; a member account acts through its spoke role, with its own config (overrides applied). An account that
 * is not a target is refused before any role is assumed.
 */
import type { Config } from '../config';

/** Where a verified token acts. */
type AccountRoute =
  /** In the endpoint's own account, with its own role (`''`: the reaper that signed it did not know the account). */
  | { readonly kind: 'own'; readonly ouPath: readonly string[] }
  /** In a member account, through its spoke role; `ouPath` picks the account's overrides. */
  | { readonly kind: 'member'; readonly accountId: string; readonly ouPath: readonly string[] }
  /** Nowhere: the account is not one this endpoint covers. */
  | { readonly kind: 'refused'; readonly reason: string };

/** What routing needs from the edges. */
interface RouteDeps {
  /** The endpoint's own account. @default unknown: every account named is a member account */
  readonly homeAccountId?: string | null;
  /**
   * The root and OUs an account sits in (outer to inner), `null` when the organization has no such account. Asked
   * only with `accounts.organization` set and the account not excluded.
   */
  readonly ouPathOf?: (accountId: string) => Promise<readonly string[] | null>;
}

/**
 * The OU path of `accountId` when it is a target of `accounts`, else `null`: discovery first (its path), then
 * `ids` (path `[]` when discovery did not find it), never an excluded one.
 *
 * @throws when the organization cannot be read (the endpoint answers 500 and the link still works)
 */
async function targetPath(
  accounts: NonNullable<Config['accounts']>,
  accountId: string,
  ouPathOf: RouteDeps['ouPathOf'],
): Promise<readonly string[] | null> {
  if (accounts.exclude.includes(accountId)) return null;
  if (accounts.organization && ouPathOf) {
    const path = await ouPathOf(accountId);
    const ous = accounts.organization.ous;
    if (path !== null && (ous.length === 0 || path.some((id) => ous.includes(id)))) return path;
  }
  return accounts.ids.includes(accountId) ? [] : null;
}

/**
 * Where a verified token for `account` acts.
 *
 * @example await routeAccount(config, '111111111111', { homeAccountId: '123456789012', ouPathOf })
 *   // { kind: 'member', accountId: '111111111111', ouPath: ['r-ab12', 'ou-ab12-34cd56ef'] }
 */
async function routeAccount(config: Config, account: string, deps: RouteDeps = {}): Promise<AccountRoute> {
  const home = deps.homeAccountId ?? null;
  const accounts = config.accounts;
  if (accounts === null) {
    if (account === '' || home === null || account === home) return { kind: 'own', ouPath: [] };
    return { kind: 'refused', reason: `account ${account} is not the endpoint's account ${home}` };
  }
  // A token signed without an account (a single-account reaper's) acts where the endpoint is, as it always did.
  if (account === '') return { kind: 'own', ouPath: [] };
  const path = await targetPath(accounts, account, deps.ouPathOf);
  if (path === null) return { kind: 'refused', reason: `account ${account} is not a target of the config` };
  return account === home ? { kind: 'own', ouPath: path } : { kind: 'member', accountId: account, ouPath: path };
}

export type { AccountRoute, RouteDeps };
export { routeAccount, targetPath };
