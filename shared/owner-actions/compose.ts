/**
 * The composition of the owner-action endpoint and of the reaper's signed links, from edge settings to adapters:
 * the same table, topic and EC2 actors a pass uses (pass/compose.ts), plus the KMS HMAC key and the token table.
 * The Lambda and the local loopback server both build through here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { attachLayers, type ClientFactoryOptions, clientOptions } from '../adapters/aws/clients';
import { TokenTable } from '../adapters/dynamodb/token-ledger';
import { KmsMacKey } from '../adapters/kms/kms-mac-key';
import { OrganizationAccounts } from '../adapters/organizations/organization-accounts';
import type { Config } from '../config';
import { RoleSessionName } from '../config/role-sessions';
import type { EventPublisher } from '../core/ports';
import { approvalsCount } from '../engine/rules/unapproved';
import { composePublisher, composeRegions, composeTable, type PassEdges } from '../pass/compose';
import { composeChat } from '../pass/compose-chat';
import { targetConfig } from '../pass/targets/target-config';
import { spokeCredentials } from '../pass/targets/target-credentials';
import type { RegionActor } from '../pass/types';
import { routeAccount } from './account-route';
import { DEFAULT_APPROVE_FOR } from './approver-links';
import { withApproversCopy } from './approvers-copy';
import type { AccountScope, OwnerActionDeps } from './handle-request';
import { withOwnerLinks } from './linking-publisher';
import { ownerEffects } from './owner-effects';
import type { OwnerActionLog } from './ports';

/** The edges of the endpoint: where its table, topic and key are. */
interface OwnerActionEdges {
  readonly config: Config;
  /** Region of the table, the key and the topic's client. */
  readonly homeRegion: string;
  readonly table: string;
  /** Where `SNOOZED`, `CLEARED`, `STOPPED` … are announced; `null` keeps them in memory. */
  readonly topicArn: string | null;
  /** The chat topic, where the same events go as Chatbot notifications (in the instance's thread). @default none */
  readonly chatTopicArn?: string | null;
  /** The KMS HMAC key's id, ARN or alias. */
  readonly keyId: string;
  readonly log: OwnerActionLog;
  /**
   * The endpoint's own account. One account (`accounts: null`): tokens for others are refused. With `accounts`
   * set: tokens for it act with the endpoint's own role, every other target account through its spoke role.
   * @default unknown: not checked with one account; every account named is a member account with `accounts`
   */
  readonly accountId?: string | null;
  /** Client settings (tests: one attempt). @default the project's defaults */
  readonly clients?: ClientFactoryOptions;
  /** The clock. @default the wall clock */
  readonly now?: () => Date;
}

function macKey(keyId: string, region: string, clients?: ClientFactoryOptions): KmsMacKey {
  const kms = attachLayers(new KMSClient(clientOptions(region, clients)), clients ?? {});
  return new KmsMacKey(kms, keyId, region);
}

/** How long an account's route (is it a target, its OUs) is kept before Organizations is asked again. */
const ROUTE_TTL_MS = 5 * 60_000;

/**
 * Everything {@link handleOwnerRequest} needs, on the configured table, topic and key. With `accounts` set, each
 * verified token's account is routed (account-route.ts): a target member account acts through its spoke role
 * (session `gpu-reaper-owner-action`, which the role lets do the owner actions only), with its own config.
 */
function composeOwnerActions(edges: OwnerActionEdges): OwnerActionDeps {
  const { config, homeRegion, table, topicArn } = edges;
  const passEdges = { config, regions: [] as string[], homeRegion, table, topicArn, clients: edges.clients };
  const tables = composeTable(passEdges, table);
  const onProblem = (message: string, error: unknown) =>
    edges.log.warn(message, { error: error instanceof Error ? error.message : String(error) });
  const publisher = composeChat(composePublisher(passEdges), {
    chatTopicArn: edges.chatTopicArn,
    homeRegion,
    clients: edges.clients,
    onProblem,
  });
  // The token names the region (and the account): an actor per account and region is made on first use and kept.
  const actors = new Map<string, RegionActor>();
  const actorsIn = (scopeConfig: Config, target?: PassEdges['target']) => (region: string) => {
    const key = `${target?.accountId ?? ''}:${region}`;
    let actor = actors.get(key);
    if (!actor) {
      const regional = { ...passEdges, config: scopeConfig, regions: [region], ...(target ? { target } : {}) };
      actor = composeRegions(regional).actorFor(region);
      actors.set(key, actor);
    }
    return actor;
  };
  const effectsWith = (scopeConfig: Config, target?: PassEdges['target']) =>
    ownerEffects({ config: scopeConfig, ...tables, publisher, actorFor: actorsIn(scopeConfig, target), onProblem });
  const documents = DynamoDBDocumentClient.from(
    attachLayers(new DynamoDBClient(clientOptions(homeRegion, edges.clients)), edges.clients ?? {}),
  );
  return {
    config,
    key: macKey(edges.keyId, homeRegion, edges.clients),
    ledger: new TokenTable(documents, table, { region: homeRegion, ...(edges.now ? { now: edges.now } : {}) }),
    effects: effectsWith(config),
    log: edges.log,
    accountId: edges.accountId ?? null,
    ...(config.accounts ? { accountFor: accountScopes(edges, effectsWith) } : {}),
    ...(edges.now ? { now: edges.now } : {}),
  };
}

/** The scope of each account a token names (with `accounts` set), routed once and kept a few minutes. */
function accountScopes(
  edges: OwnerActionEdges,
  effectsWith: (config: Config, target?: PassEdges['target']) => AccountScope['effects'],
): (account: string) => Promise<AccountScope | null> {
  const { config, homeRegion } = edges;
  const accounts = config.accounts;
  const organizations =
    accounts?.organization &&
    new OrganizationAccounts(
      attachLayers(new OrganizationsClient(clientOptions(homeRegion, edges.clients)), edges.clients ?? {}),
    );
  const ouPathOf = organizations ? (id: string) => organizations.ouPathOf(id) : undefined;
  const known = new Map<string, { scope: AccountScope | null; until: number }>();
  return async (account) => {
    const now = Date.now();
    const kept = known.get(account);
    if (kept && kept.until > now) return kept.scope;
    const route = await routeAccount(config, account, {
      homeAccountId: edges.accountId ?? null,
      ...(ouPathOf ? { ouPathOf } : {}),
    });
    let scope: AccountScope | null = null;
    if (route.kind === 'own') {
      const own = targetConfig(config, { accountId: account, ouPath: route.ouPath });
      scope = { config: own, effects: effectsWith(own) };
    } else if (route.kind === 'member') {
      const member = targetConfig(config, { accountId: route.accountId, ouPath: route.ouPath });
      const credentials = spokeCredentials({
        accountId: route.accountId,
        roleName: accounts?.roleName ?? 'GpuReaperSpoke',
        externalId: accounts?.externalId ?? null,
        homeRegion,
        sessionName: RoleSessionName.ownerAction,
        ...(edges.clients ? { clients: edges.clients } : {}),
      });
      scope = { config: member, effects: effectsWith(member, { accountId: route.accountId, credentials }) };
    } else {
      edges.log.warn('owner link for an account not covered', { account, reason: route.reason });
    }
    known.set(account, { scope, until: now + ROUTE_TTL_MS });
    return scope;
  };
}

/**
 * `publisher`, signing the owner's links into WARNED messages when there is a key and an endpoint URL (`baseUrl`,
 * else `notifications.links.baseUrl`); else `publisher` itself, and messages carry the tag instructions only. When
 * approvals count (`gating` or `budgets`), each `unapproved` warning also goes out as the approvers' copy, with its
 * approve links where there is a key and an endpoint, without them where there is not.
 */
function composeOwnerLinks(
  publisher: EventPublisher,
  settings: {
    readonly config: Config;
    readonly homeRegion: string;
    readonly keyId: string | null | undefined;
    readonly baseUrl?: string | null;
    readonly clients?: ClientFactoryOptions;
    readonly onProblem?: (message: string, error: unknown) => void;
  },
): EventPublisher {
  const { config } = settings;
  const baseUrl = settings.baseUrl || config.notifications.links.baseUrl;
  const key = settings.keyId && baseUrl ? macKey(settings.keyId, settings.homeRegion, settings.clients) : null;
  const owners =
    key && baseUrl
      ? withOwnerLinks(
          publisher,
          { key, baseUrl, links: config.notifications.links, snoozeCeiling: config.snooze.ceiling },
          settings.onProblem,
        )
      : publisher;
  if (!approvalsCount(config)) return owners;
  const approve =
    key && baseUrl
      ? {
          key,
          baseUrl,
          approveFor: config.gating?.approveFor ?? DEFAULT_APPROVE_FOR,
          maxRuntimeCeiling: config.maxRuntime.ceiling,
        }
      : null;
  return withApproversCopy(owners, approve, settings.onProblem);
}

export type { OwnerActionEdges };
export { composeOwnerActions, composeOwnerLinks };
