/**
 * The accounts of an AWS organization under some OUs, child OUs included, each with the OUs it sits in (outer to
 * inner). Every list call is paginated; only ACTIVE accounts are returned (suspended or closing ones have nothing
 * to reap and their roles refuse to be assumed).
 */
import {
  type Account,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { toAwsError } from '../aws/aws-errors';

/** One member account found under the configured OUs. */
interface OrganizationAccount {
  readonly accountId: string;
  /** The root and OUs the account sits in, outer to inner (`['r-ab12', 'ou-ab12-11111111', 'ou-ab12-22222222']`). */
  readonly ouPath: readonly string[];
}

/** Whether an account can be reached: `State` (newer) or `Status` says ACTIVE. */
function isActive(account: Account): boolean {
  const state = (account as Account & { State?: string }).State ?? account.Status;
  return state === 'ACTIVE';
}

/**
 * Reads accounts and OUs from AWS Organizations (the management account, or a delegated administrator).
 *
 * Failures become `AwsError` with the operation named and the SDK error as `cause`.
 */
class OrganizationAccounts {
  readonly #client: OrganizationsClient;

  constructor(client: OrganizationsClient) {
    this.#client = client;
  }

  /**
   * The ACTIVE accounts under `ous` and their child OUs; `[]` means the whole organization (from its root).
   * An account found twice (an OU and its child both listed) is returned once, with its longest path.
   *
   * @example await new OrganizationAccounts(client).accountsUnder(['ou-ab12-34cd56ef'])
   */
  async accountsUnder(ous: readonly string[]): Promise<OrganizationAccount[]> {
    const starts = ous.length > 0 ? [...new Set(ous)] : await this.#roots();
    const found = new Map<string, OrganizationAccount>();
    for (const start of starts) {
      const above = start.startsWith('r-') ? [] : await this.#ancestors(start);
      for (const account of await this.#walk(start, [...above, start])) {
        const seen = found.get(account.accountId);
        if (!seen || seen.ouPath.length < account.ouPath.length) found.set(account.accountId, account);
      }
    }
    return [...found.values()].sort((a, b) => a.accountId.localeCompare(b.accountId));
  }

  /**
   * The root and OUs `accountId` sits in, outer to inner; `null` when the organization has no such account. One
   * ListParents per level: what the owner-action endpoint asks about the one account of a link.
   *
   * @example await new OrganizationAccounts(client).ouPathOf('111111111111') // ['r-ab12', 'ou-ab12-34cd56ef']
   */
  async ouPathOf(accountId: string): Promise<readonly string[] | null> {
    try {
      return await this.#ancestors(accountId);
    } catch (error) {
      const name = (error as { cause?: { name?: unknown } }).cause?.name;
      if (name === 'ChildNotFoundException' || name === 'AccountNotFoundException') return null;
      throw error;
    }
  }

  /** The accounts of `parent` and of every OU below it. */
  async #walk(parent: string, path: readonly string[]): Promise<OrganizationAccount[]> {
    const accounts = (await this.#accountsOf(parent)).map((accountId) => ({ accountId, ouPath: path }));
    for (const child of await this.#childOus(parent)) accounts.push(...(await this.#walk(child, [...path, child])));
    return accounts;
  }

  async #roots(): Promise<string[]> {
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.#send('ListRoots', () => this.#client.send(new ListRootsCommand({ NextToken })));
      ids.push(...(page.Roots ?? []).flatMap((root) => (root.Id ? [root.Id] : [])));
      NextToken = page.NextToken;
    } while (NextToken);
    return ids;
  }

  /** The root and OUs above `ou`, outer to inner (one ListParents per level). */
  async #ancestors(ou: string): Promise<string[]> {
    const path: string[] = [];
    for (let child = ou; ; ) {
      const page = await this.#send('ListParents', () => this.#client.send(new ListParentsCommand({ ChildId: child })));
      const parent = page.Parents?.[0];
      if (!parent?.Id) return path;
      path.unshift(parent.Id);
      if (parent.Type === 'ROOT' || path.length > 6) return path;
      child = parent.Id;
    }
  }

  async #childOus(parent: string): Promise<string[]> {
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.#send('ListOrganizationalUnitsForParent', () =>
        this.#client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent, NextToken })),
      );
      ids.push(...(page.OrganizationalUnits ?? []).flatMap((ou) => (ou.Id ? [ou.Id] : [])));
      NextToken = page.NextToken;
    } while (NextToken);
    return ids;
  }

  async #accountsOf(parent: string): Promise<string[]> {
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.#send('ListAccountsForParent', () =>
        this.#client.send(new ListAccountsForParentCommand({ ParentId: parent, NextToken })),
      );
      ids.push(...(page.Accounts ?? []).filter(isActive).flatMap((account) => (account.Id ? [account.Id] : [])));
      NextToken = page.NextToken;
    } while (NextToken);
    return ids;
  }

  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toAwsError(error, operation);
    }
  }
}

export type { OrganizationAccount };
export { OrganizationAccounts };
