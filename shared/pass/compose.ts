/**
 * The composition root shared by the CLI and the Lambda: from config and a few edge settings to the adapters a
 * pass runs with. Only their edges differ (flags vs environment); the pass is built here, once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PricingClient } from '@aws-sdk/client-pricing';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  attachLayers,
  type CallCounter,
  type ClientFactoryOptions,
  clientOptions,
  createRegionClients,
} from '../adapters/aws/clients';
import { GpuMetrics } from '../adapters/cloudwatch/gpu-metrics';
import { AuditTrail } from '../adapters/dynamodb/audit-trail';
import { DynamoBudgetLedger } from '../adapters/dynamodb/budget-ledger';
import { OutboxTable } from '../adapters/dynamodb/outbox-table';
import type { StateTableOptions } from '../adapters/dynamodb/transition-commands';
import { TransitionTable } from '../adapters/dynamodb/transition-table';
import { WarningStore } from '../adapters/dynamodb/warning-store';
import { Ec2Instances } from '../adapters/ec2/ec2-instances';
import { GpuTypeCatalog } from '../adapters/ec2/gpu-types';
import { PRICING_REGION, PriceList } from '../adapters/pricing/price-list';
import { MemoryNotifier, Notifier } from '../adapters/sns/notifier';
import type { Config } from '../config';
import type { EventPublisher } from '../core/ports';
import type { InstanceFacts } from '../engine';
import type { LivePriceSource } from '../prices/resolve-prices';
import { awsRegionReader } from './region-reader';
import type { RegionActor, RegionReader } from './types';

/** The edge settings of a pass. */
interface PassEdges {
  readonly config: Config;
  readonly regions: readonly string[];
  /** Region of the table and of clients that are not per region. */
  readonly homeRegion: string;
  readonly table: string | null;
  readonly topicArn: string | null;
  readonly adminTopicArn?: string | null;
  /** Counts every AWS call by operation, when given. */
  readonly counter?: CallCounter;
  /**
   * Settings and layers for every client the pass creates (tests: `maxAttempts: 1` and a fault injector). With
   * these set, the instance-type catalog is not shared with other passes, so an injected fault stays in its pass.
   * @default the project's defaults (5 attempts, adaptive retry), no layers
   */
  readonly clients?: ClientFactoryOptions;
  /**
   * The state table's clock and acting lease (tests move the clock past the lease to play a later pass).
   * @default the wall clock, a 15-minute lease
   */
  readonly stateTable?: Pick<StateTableOptions, 'now' | 'actingLeaseMs'>;
  /**
   * The member account the regions' EC2 and CloudWatch calls go to (many accounts): its instances carry this
   * account id whatever EC2 says. The table and topics stay with the SDK's own credentials.
   * @default the account of the SDK's credentials
   */
  readonly target?: { readonly accountId: string; readonly credentials: AwsCredentialIdentityProvider };
}

const regionOfArn = (arn: string) => arn.split(':')[3] ?? '';

// Instance types do not change between passes: one catalog per region lives as long as the Lambda container.
const catalogs = new Map<string, GpuTypeCatalog>();

/** Stamps the target's account on an instance's facts (identity: no target). */
function ownedBy(accountId: string | undefined): (facts: InstanceFacts) => InstanceFacts {
  return accountId ? (facts) => ({ ...facts, accountId }) : (facts) => facts;
}

/** Readers and actors for every region of the pass (read-only use: `plan`). */
function composeRegions(edges: PassEdges): { readers: RegionReader[]; actorFor: (region: string) => RegionActor } {
  const actors = new Map<string, RegionActor>();
  const readers = edges.regions.map((region) => {
    const clients = createRegionClients(region, edges.clients, edges.target?.credentials);
    if (edges.counter) {
      edges.counter.attach(clients.ec2);
      edges.counter.attach(clients.cloudwatch);
    }
    // Per account too: a catalog calls with the credentials it was made with, and one account's trouble stays its own.
    const catalogKey = edges.target ? `${edges.target.accountId}:${region}` : region;
    let catalog = edges.clients ? undefined : catalogs.get(catalogKey);
    if (!catalog) {
      catalog = new GpuTypeCatalog(clients.ec2, region);
      if (!edges.clients) catalogs.set(catalogKey, catalog);
    }
    const instances = new Ec2Instances(clients.ec2, region, { catalog });
    const owned = ownedBy(edges.target?.accountId);
    actors.set(region, {
      region,
      describeForAction: async (id) => {
        const facts = await instances.describeForAction(id);
        return facts && owned(facts);
      },
      stop: (id, options) => instances.stop(id, options),
      terminate: (id) => instances.terminate(id),
      setTags: (id, tags) => instances.setTags(id, tags),
      removeTags: (id, keys) => instances.removeTags(id, keys),
    });
    const reader = awsRegionReader(
      region,
      instances,
      new GpuMetrics(clients.cloudwatch, region, edges.config.metrics.sources),
    );
    if (!edges.target) return reader;
    return {
      ...reader,
      scanGpuInstances: async (...args) => (await reader.scanGpuInstances(...args)).map(owned),
      listWarnedNotRunning: async (tag) =>
        (await reader.listWarnedNotRunning!(tag)).map((found) => ({ ...found, instance: owned(found.instance) })),
    } satisfies RegionReader;
  });
  const actorFor = (region: string) => {
    const actor = actors.get(region);
    if (!actor) throw new Error(`no actor for region ${region}`);
    return actor;
  };
  return { readers, actorFor };
}

/**
 * The state store, audit trail, transition log and outbox on the configured table (one table, one client).
 */
function composeTable(edges: PassEdges, table: string) {
  const client = attachLayers(new DynamoDBClient(clientOptions(edges.homeRegion, edges.clients)), edges.clients ?? {});
  edges.counter?.attach(client);
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const state = { region: edges.homeRegion, ...edges.stateTable };
  return {
    store: new WarningStore(documents, table, state),
    audit: new AuditTrail(documents, table),
    transitions: new TransitionTable(documents, table, state),
    outbox: new OutboxTable(documents, table, state),
    // Only with budgets on: otherwise a pass never reads or writes the ledger.
    ...(edges.config.budgets === null ? {} : { ledger: new DynamoBudgetLedger(documents, table, state) }),
  };
}

/** The SNS publisher, or a memory one that keeps the messages when no topic is configured. */
function composePublisher(edges: PassEdges): EventPublisher & { messages?: unknown[] } {
  if (!edges.topicArn) return new MemoryNotifier();
  const region = regionOfArn(edges.topicArn) || edges.homeRegion;
  const client = attachLayers(new SNSClient(clientOptions(region, edges.clients)), edges.clients ?? {});
  edges.counter?.attach(client);
  return new Notifier(client, edges.topicArn, edges.adminTopicArn ?? null);
}

// Prices change rarely: one Price List cache lives as long as the Lambda container (or the CLI process).
let priceList: PriceList | undefined;
let reportPriceProblem: (message: string, error: unknown) => void = () => {};

/**
 * The live price source when `prices.live` is on, else `undefined` (overrides, then the bundled table). The Pricing
 * API lives in us-east-1 whatever the pass's regions; a failed lookup is reported to `onProblem` and costs only
 * that price.
 */
function composePrices(
  edges: PassEdges,
  onProblem?: (message: string, error: unknown) => void,
): LivePriceSource | undefined {
  if (!edges.config.prices.live) return undefined;
  reportPriceProblem = onProblem ?? (() => {});
  if (!priceList) {
    // Few attempts and a short wait: a price is a nice-to-have and must not hold a pass up.
    const client = new PricingClient(clientOptions(PRICING_REGION, { maxAttempts: 2, requestTimeoutMs: 10_000 }));
    edges.counter?.attach(client);
    priceList = new PriceList(client, { onError: (error) => reportPriceProblem('live price lookup failed', error) });
  }
  return priceList;
}

export type { PassEdges };
export { composePrices, composePublisher, composeRegions, composeTable };
