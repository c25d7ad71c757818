/**
 * The composition root shared by the CLI and the Lambda: from config and a few edge settings to the adapters a
 * pass runs with. Only their edges differ (flags vs environment); the pass is built here, once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditTrail } from '../adapters/audit-trail';
import { type CallCounter, clientOptions, createRegionClients } from '../adapters/clients';
import { Ec2Instances } from '../adapters/ec2-instances';
import { GpuMetrics } from '../adapters/gpu-metrics';
import { GpuTypeCatalog } from '../adapters/gpu-types';
import { MemoryNotifier, Notifier } from '../adapters/notifier';
import { WarningStore } from '../adapters/warning-store';
import type { Config } from '../config';
import type { EventPublisher } from './ports';
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
}

const regionOfArn = (arn: string) => arn.split(':')[3] ?? '';

// Instance types do not change between passes: one catalog per region lives as long as the Lambda container.
const catalogs = new Map<string, GpuTypeCatalog>();

/** Readers and actors for every region of the pass (read-only use: `plan`). */
function composeRegions(edges: PassEdges): { readers: RegionReader[]; actorFor: (region: string) => RegionActor } {
  const actors = new Map<string, RegionActor>();
  const readers = edges.regions.map((region) => {
    const clients = createRegionClients(region);
    if (edges.counter) {
      edges.counter.attach(clients.ec2);
      edges.counter.attach(clients.cloudwatch);
    }
    let catalog = catalogs.get(region);
    if (!catalog) {
      catalog = new GpuTypeCatalog(clients.ec2, region);
      catalogs.set(region, catalog);
    }
    const instances = new Ec2Instances(clients.ec2, region, { catalog });
    actors.set(region, {
      region,
      describeForAction: (id) => instances.describeForAction(id),
      stop: (id) => instances.stop(id),
      terminate: (id) => instances.terminate(id),
      setTags: (id, tags) => instances.setTags(id, tags),
      removeTags: (id, keys) => instances.removeTags(id, keys),
    });
    return awsRegionReader(region, instances, new GpuMetrics(clients.cloudwatch, region, edges.config.metrics));
  });
  const actorFor = (region: string) => {
    const actor = actors.get(region);
    if (!actor) throw new Error(`no actor for region ${region}`);
    return actor;
  };
  return { readers, actorFor };
}

/** The state store and audit trail on the configured table. */
function composeTable(edges: PassEdges, table: string) {
  const client = new DynamoDBClient(clientOptions(edges.homeRegion));
  edges.counter?.attach(client);
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { store: new WarningStore(documents, table), audit: new AuditTrail(documents, table) };
}

/** The SNS publisher, or a memory one that keeps the messages when no topic is configured. */
function composePublisher(edges: PassEdges): EventPublisher & { messages?: unknown[] } {
  if (!edges.topicArn) return new MemoryNotifier();
  const client = new SNSClient(clientOptions(regionOfArn(edges.topicArn) || edges.homeRegion));
  edges.counter?.attach(client);
  return new Notifier(client, edges.topicArn, edges.adminTopicArn ?? null);
}

export type { PassEdges };
export { composePublisher, composeRegions, composeTable };
