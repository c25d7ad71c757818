/**
 * Per-instance warning state in the audit table (`pk = INSTANCE#<id>`, `sk = STATE`, no `event` attribute). Every
 * transition is one conditional write, so it happens for exactly one pass even when passes overlap or are retried.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AuditTableDesign } from '../../config/audit-table';
import type { ReadSchedule, StateStore, StoredWarning } from '../../core/ports';
import type { SnoozeSighting } from '../../engine/tags';
import type { RuleName } from '../../engine/types';
import { toAwsError } from '../aws/aws-errors';
import { batchGetItems } from './dynamo-batch-get';
import { conditionalWrite } from './dynamo-calls';
import { approvalKey, readKey, snoozeKey, stateKey } from './dynamo-items';
import {
  actUpdate,
  clearDelete,
  deliveredUpdate,
  finishUpdate,
  noticePut,
  type StateContext,
  type WarnClaim,
  warnPut,
} from './warning-commands';
import { parseStateItem } from './warning-items';

/** Options of {@link WarningStore}. */
interface WarningStoreOptions {
  /** Region of the table, named in errors. @default undefined */
  readonly region?: string;
  /** The wall clock for `updatedAt`, TTLs and leases. @default () => new Date() */
  readonly now?: () => Date;
  /** How long a state item outlives its due time (or its last transition). @default 30 days */
  readonly retentionSeconds?: number;
  /**
   * How long an `acting` claim holds. A pass that dies between claiming and finishing (Lambda timeout) leaves the
   * state `acting`; after the lease another pass may claim it again. @default 15 minutes (the Lambda maximum)
   */
  readonly actingLeaseMs?: number;
  /** Waits between BatchGetItem retries of unprocessed keys (tests pass a no-op). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The transition an expected state must still promise. */
type Expected = { readonly rule: RuleName; readonly actAt: Date };

/**
 * The DynamoDB implementation of the pass's `StateStore`. Each `claim*` answers `true` to exactly one caller.
 * @example
 * const store = new WarningStore(documentClient, 'gpu-reaper-audit', { region: 'us-east-1' });
 * if (await store.claimWarn({ instanceId, region, rule: 'idle', action: 'stop', actAt, warnedAt, launchTime, passId })) {
 *   await notifyOwner();
 * }
 */
class WarningStore implements StateStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly options: WarningStoreOptions;

  constructor(client: DynamoDBDocumentClient, tableName: string, options: WarningStoreOptions = {}) {
    this.client = client;
    this.tableName = tableName;
    this.options = options;
  }

  /** The live state of these instances (consistent reads, ≤ 100 keys a call); instances without state are absent. */
  async load(instanceIds: readonly string[]): Promise<Map<string, StoredWarning>> {
    const keys = [...new Set(instanceIds)].map(stateKey);
    const items = await batchGetItems(this.client, this.tableName, keys, this.options);
    const nowSeconds = Math.floor(this.clock().getTime() / 1000);
    const states = new Map<string, StoredWarning>();
    for (const item of items) {
      const record = parseStateItem(item, nowSeconds);
      if (record) states.set(record.instanceId, record.warning);
    }
    return states;
  }

  /** When each instance's GPU telemetry must next be read; an item that does not parse is absent (read it). */
  async loadReadSchedules(instanceIds: readonly string[]): Promise<Map<string, ReadSchedule>> {
    const keys = [...new Set(instanceIds)].map(readKey);
    const items = await batchGetItems(this.client, this.tableName, keys, this.options);
    const schedules = new Map<string, ReadSchedule>();
    for (const item of items) {
      const nextReadAt = typeof item.nextReadAt === 'string' ? new Date(item.nextReadAt) : null;
      if (typeof item.instanceId !== 'string' || nextReadAt === null || Number.isNaN(nextReadAt.getTime())) continue;
      if (typeof item.launchTime !== 'string' || typeof item.configHash !== 'string') continue;
      const { launchTime, configHash } = item;
      // Out of reach by its tags: holds only while they still say so (the pass checks).
      const outOfReach = item.outOfReach === true ? { outOfReach: true } : {};
      schedules.set(item.instanceId, { nextReadAt, launchTime, configHash, ...outOfReach });
    }
    return schedules;
  }

  /** Records when an instance's telemetry must next be read (a plain put: the latest reading decides). */
  async saveReadSchedule(instanceId: string, schedule: ReadSchedule): Promise<void> {
    const retention = this.options.retentionSeconds ?? 30 * 86_400;
    const item = {
      ...readKey(instanceId),
      instanceId,
      nextReadAt: schedule.nextReadAt.toISOString(),
      launchTime: schedule.launchTime,
      configHash: schedule.configHash,
      ...(schedule.outOfReach ? { outOfReach: true } : {}),
      [AuditTableDesign.ttlAttribute]: Math.floor(schedule.nextReadAt.getTime() / 1000) + retention,
    };
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
    } catch (error) {
      throw toAwsError(error, 'PutItem', this.options.region);
    }
  }

  /** When each instance's current `snooze-until` value was first seen; an item that does not parse is absent. */
  loadSnoozes(instanceIds: readonly string[]): Promise<Map<string, SnoozeSighting>> {
    return this.loadSightings(instanceIds, snoozeKey, 'snoozeValue');
  }

  /** When each instance's current `approved-until` value was first seen; an item that does not parse is absent. */
  loadApprovals(instanceIds: readonly string[]): Promise<Map<string, SnoozeSighting>> {
    return this.loadSightings(instanceIds, approvalKey, 'approvalValue');
  }

  private async loadSightings(
    instanceIds: readonly string[],
    keyOf: (instanceId: string) => Record<string, string>,
    valueAttribute: string,
  ): Promise<Map<string, SnoozeSighting>> {
    const keys = [...new Set(instanceIds)].map(keyOf);
    const items = await batchGetItems(this.client, this.tableName, keys, this.options);
    const sightings = new Map<string, SnoozeSighting>();
    for (const item of items) {
      const firstSeenAt = typeof item.firstSeenAt === 'string' ? new Date(item.firstSeenAt) : null;
      const value = item[valueAttribute];
      if (typeof item.instanceId !== 'string' || typeof value !== 'string') continue;
      if (firstSeenAt === null || Number.isNaN(firstSeenAt.getTime())) continue;
      sightings.set(item.instanceId, { value, firstSeenAt });
    }
    return sightings;
  }

  /**
   * Records a warning. True when there was no live state, or it was stale (another LaunchTime), or it was for
   * another rule (and not mid-action); false when a warning for this rule and this launch exists already.
   */
  claimWarn(claim: WarnClaim): Promise<boolean> {
    return this.put(warnPut(this.context(), claim));
  }

  /** The warning's message reached the owner at `at` (once; a later call or another warning is a no-op). */
  async markDelivered(instanceId: string, expected: Expected, at: Date): Promise<void> {
    await this.update(deliveredUpdate(this.context(), instanceId, expected, at));
  }

  /** `warned` → `acting` for this pass, only if the warning still promises this rule and due time. */
  claimAct(instanceId: string, expected: Expected, passId: string): Promise<boolean> {
    return this.update(actUpdate(this.context(), instanceId, expected, passId));
  }

  /**
   * `acting` → `acted` or `protected`. A no-op when this pass no longer holds the claim (its lease ran out and
   * another pass took it over): that pass then owns the outcome.
   */
  async finishAct(instanceId: string, phase: 'acted' | 'protected', passId: string): Promise<void> {
    await this.update(finishUpdate(this.context(), instanceId, phase, passId));
  }

  /** `acting` → `warned` when acting failed, so the next pass retries; only by the pass that holds the claim. */
  async releaseAct(instanceId: string, passId: string): Promise<void> {
    await this.update(finishUpdate(this.context(), instanceId, 'warned', passId));
  }

  /**
   * Deletes the warning if it still promises this rule and due time. Pass `passId` to also refuse while another
   * pass is acting on it (this pass's own `acting` claim may be cleared): recommended at every call site.
   */
  claimClear(instanceId: string, expected: Expected, passId?: string): Promise<boolean> {
    const input = clearDelete(this.context(), instanceId, expected, passId);
    return conditionalWrite('DeleteItem', this.options.region, () => this.client.send(new DeleteCommand(input)));
  }

  /**
   * A once-only marker (`sk = NOTICE#<key>`) for one-off notices (no telemetry for this launch, a bad tag value):
   * true the first time only, until the marker expires after `ttlSeconds`.
   */
  claimNotice(instanceId: string, key: string, ttlSeconds: number): Promise<boolean> {
    return this.put(noticePut(this.context(), instanceId, key, ttlSeconds));
  }

  private clock(): Date {
    return this.options.now?.() ?? new Date();
  }

  private context(): StateContext {
    const now = this.clock();
    return {
      tableName: this.tableName,
      now,
      retentionSeconds: this.options.retentionSeconds ?? 30 * 86_400,
      leaseCutoff: new Date(now.getTime() - (this.options.actingLeaseMs ?? 15 * 60_000)).toISOString(),
    };
  }

  private put(input: PutCommand['input']): Promise<boolean> {
    return conditionalWrite('PutItem', this.options.region, () => this.client.send(new PutCommand(input)));
  }

  private update(input: UpdateCommand['input']): Promise<boolean> {
    return conditionalWrite('UpdateItem', this.options.region, () => this.client.send(new UpdateCommand(input)));
  }
}

export type { WarnClaim } from './warning-commands';
export type { WarningStoreOptions };
export { WarningStore };
