/**
 * The targets of a pass: every account × region the reaper covers. With `accounts` set, the ACTIVE accounts under
 * `accounts.organization.ous` (child OUs included) plus `accounts.ids`, minus `accounts.exclude`, each × its
 * regions (its own config's `regions`, overrides applied; `[]` = the home region).
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { OrganizationAccounts } from '../../adapters/organizations/organization-accounts';
import type { Config } from '../../config';
import { UsageError } from '../../errors';
import { targetConfig } from './target-config';

/** One account × region a pass covers. */
interface Target {
  readonly accountId: string;
  readonly region: string;
  /** The root and OUs the account sits in, outer to inner; `[]` for an account listed only in `accounts.ids`. */
  readonly ouPath: readonly string[];
}

/** What resolving targets needs from the edges. */
interface TargetDeps {
  /** Needed when `accounts.organization` is set (discovery). @default none: discovery fails */
  readonly organizations?: OrganizationsClient;
  /**
   * The hub's own account. It is a target only when `ids` or discovery lists it (and then through the spoke role,
   * like any other). @default unknown
   */
  readonly homeAccountId?: string;
  /** The region of targets whose config says `regions: []`. */
  readonly homeRegion: string;
}

/** Limits on the targets (`--account`, `--region`). */
interface TargetFilter {
  /** Only these accounts (each must be a target). @default every target account */
  readonly accounts?: readonly string[];
  /** These regions for every account, in place of the config's. @default each account's own */
  readonly regions?: readonly string[];
}

/**
 * Every account × region to cover, in account then region order. Needs `config.accounts` set.
 *
 * @throws UsageError when `filter.accounts` names an account that is not a target, or discovery has no client
 * @throws AwsError when Organizations cannot be read
 * @example await resolveTargets(config, { organizations, homeRegion: 'us-east-1' }, { accounts: ['111111111111'] })
 */
async function resolveTargets(config: Config, deps: TargetDeps, filter: TargetFilter = {}): Promise<Target[]> {
  const accounts = config.accounts;
  if (!accounts) throw new UsageError('targets need "accounts" in the config');
  const found = new Map<string, readonly string[]>();
  if (accounts.organization) {
    if (!deps.organizations) throw new UsageError('accounts.organization needs an Organizations client');
    const reader = new OrganizationAccounts(deps.organizations);
    for (const account of await reader.accountsUnder(accounts.organization.ous)) {
      found.set(account.accountId, account.ouPath);
    }
  }
  for (const id of accounts.ids) if (!found.has(id)) found.set(id, []);
  for (const id of accounts.exclude) found.delete(id);
  const wanted = filter.accounts && filter.accounts.length > 0 ? [...new Set(filter.accounts)] : undefined;
  const unknown = wanted?.filter((id) => !found.has(id)) ?? [];
  if (unknown.length > 0) {
    const listed = [...found.keys()].sort().join(', ') || 'none';
    throw new UsageError(`--account ${unknown.join(', ')}: not a target of this config (targets: ${listed})`);
  }
  const ids = (wanted ?? [...found.keys()]).sort();
  return ids.flatMap((accountId) => {
    const ouPath = found.get(accountId) ?? [];
    const regions = filter.regions?.length ? filter.regions : regionsOf(config, accountId, ouPath, deps.homeRegion);
    return [...new Set(regions)].map((region) => ({ accountId, region, ouPath }));
  });
}

/** The regions of one account: its config's (overrides applied), or the home region. */
function regionsOf(config: Config, accountId: string, ouPath: readonly string[], home: string): readonly string[] {
  const regions = targetConfig(config, { accountId, ouPath }).regions;
  return regions.length > 0 ? regions : [home];
}

export type { Target, TargetDeps, TargetFilter };
export { resolveTargets };
