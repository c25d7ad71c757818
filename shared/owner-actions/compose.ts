/**
 * The composition of the owner-action endpoint and of the reaper's signed links, from edge settings to adapters:
 * the same table, topic and EC2 actors a pass uses (pass/compose.ts), plus the KMS HMAC key and the token table.
 * The Lambda and the local loopback server both build through here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { attachLayers, type ClientFactoryOptions, clientOptions } from '../adapters/aws/clients';
import { TokenTable } from '../adapters/dynamodb/token-ledger';
import { KmsMacKey } from '../adapters/kms/kms-mac-key';
import type { Config } from '../config';
import type { EventPublisher } from '../core/ports';
import { approvalsCount } from '../engine/rules/unapproved';
import { composePublisher, composeRegions, composeTable } from '../pass/compose';
import { composeChat } from '../pass/compose-chat';
import type { RegionActor } from '../pass/types';
import { DEFAULT_APPROVE_FOR } from './approver-links';
import { withApproversCopy } from './approvers-copy';
import type { OwnerActionDeps } from './handle-request';
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
  /** The account the endpoint acts in (tokens for others are refused). @default not checked */
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

/** Everything {@link handleOwnerRequest} needs, on the configured table, topic and key. */
function composeOwnerActions(edges: OwnerActionEdges): OwnerActionDeps {
  const { config, homeRegion, table, topicArn } = edges;
  const passEdges = { config, regions: [] as string[], homeRegion, table, topicArn, clients: edges.clients };
  const { store, transitions, outbox } = composeTable(passEdges, table);
  // The token names the region; an actor per region is made on first use and kept.
  const actors = new Map<string, RegionActor>();
  const actorFor = (region: string) => {
    let actor = actors.get(region);
    if (!actor) {
      actor = composeRegions({ ...passEdges, regions: [region] }).actorFor(region);
      actors.set(region, actor);
    }
    return actor;
  };
  const onProblem = (message: string, error: unknown) =>
    edges.log.warn(message, { error: error instanceof Error ? error.message : String(error) });
  const documents = DynamoDBDocumentClient.from(
    attachLayers(new DynamoDBClient(clientOptions(homeRegion, edges.clients)), edges.clients ?? {}),
  );
  return {
    config,
    key: macKey(edges.keyId, homeRegion, edges.clients),
    ledger: new TokenTable(documents, table, { region: homeRegion, ...(edges.now ? { now: edges.now } : {}) }),
    effects: ownerEffects({
      config,
      store,
      transitions,
      outbox,
      publisher: composeChat(composePublisher(passEdges), {
        chatTopicArn: edges.chatTopicArn,
        homeRegion,
        clients: edges.clients,
        onProblem,
      }),
      actorFor,
      onProblem,
    }),
    log: edges.log,
    accountId: edges.accountId ?? null,
    ...(edges.now ? { now: edges.now } : {}),
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
