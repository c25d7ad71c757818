/**
 * The budgets' ledger in the state table (docs/cost-gating.md, "Budgets"):
 * - a team's month total: `pk = BUDGET#<YYYY-MM>`, `sk = TEAM#<team>`, `spendUsd` (one Query lists a month's teams);
 * - each instance's mark: `pk = INSTANCE#<id>`, `sk = SPEND`, `countedTo` (what its spend was counted up to);
 * - once-a-month notices: `pk = BUDGET#<YYYY-MM>`, `sk = NOTICE#<team>#<level>`.
 * A pass's spend is one transaction of marks moved from the value it read and totals added: a retried or
 * overlapping pass finds the marks moved and adds nothing twice.
 */
import {
  type DynamoDBDocumentClient,
  PutCommand,
  paginateQuery,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { AuditTableDesign } from '../../config/audit-table';
import type { BudgetLedger } from '../../core/ports';
import type { SpendEntry } from '../../engine/budget';
import { toAwsError } from '../aws/aws-errors';
import { batchGetItems } from './dynamo-batch-get';
import { conditionalWrite, dynamoCall } from './dynamo-calls';
import { instancePk } from './dynamo-items';

const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = AuditTableDesign;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** TransactWriteItems takes 100 actions: a chunk's marks plus at most as many team totals. */
const ENTRIES_PER_TRANSACTION = 50;
/** Totals and marks outlive their month by this long (the report reads last month's too). */
const KEEP_SECONDS = 100 * 86_400;

const monthPk = (month: string) => `BUDGET#${month}`;

/** True when a transaction was cancelled because one of its conditions did not hold. */
function isRefused(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
}

/** Options of {@link DynamoBudgetLedger}. */
interface BudgetLedgerOptions {
  /** Region of the table, named in errors. @default undefined */
  readonly region?: string;
  /** The wall clock, for TTLs. @default () => new Date() */
  readonly now?: () => Date;
}

/** The DynamoDB implementation of the pass's {@link BudgetLedger}. */
class DynamoBudgetLedger implements BudgetLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #options: BudgetLedgerOptions;

  constructor(client: DynamoDBDocumentClient, tableName: string, options: BudgetLedgerOptions = {}) {
    this.#client = client;
    this.#table = tableName;
    this.#options = options;
  }

  /** What each instance's spend was counted up to; instances never counted are absent. */
  async loadMarks(instanceIds: readonly string[]): Promise<Map<string, Date>> {
    const keys = [...new Set(instanceIds)].map((id) => ({ [PK]: instancePk(id), [SK]: 'SPEND' }));
    const items = await batchGetItems(this.#client, this.#table, keys, this.#options);
    const marks = new Map<string, Date>();
    for (const item of items) {
      const at = typeof item.countedTo === 'string' ? new Date(item.countedTo) : null;
      if (typeof item.instanceId === 'string' && at !== null && !Number.isNaN(at.getTime())) {
        marks.set(item.instanceId, at);
      }
    }
    return marks;
  }

  /**
   * Adds the entries' spend to their teams' month totals, each entry at most once: a chunk is one transaction; a
   * chunk refused (another pass moved a mark first) is retried entry by entry, and the refused entries add nothing.
   *
   * @returns the ids of the entries another pass had counted already
   */
  async add(entries: readonly SpendEntry[], month: string): Promise<string[]> {
    const refused: string[] = [];
    for (let start = 0; start < entries.length; start += ENTRIES_PER_TRANSACTION) {
      const chunk = entries.slice(start, start + ENTRIES_PER_TRANSACTION);
      if (await this.#commit(chunk, month)) continue;
      for (const entry of chunk) if (!(await this.#commit([entry], month))) refused.push(entry.instanceId);
    }
    return refused;
  }

  /** The month's total per team. */
  async loadTotals(month: string): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    await dynamoCall('Query', this.#options.region, async () => {
      const input = {
        TableName: this.#table,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :team)',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: { ':pk': monthPk(month), ':team': 'TEAM#' },
        ConsistentRead: true,
      };
      for await (const page of paginateQuery({ client: this.#client }, input)) {
        for (const item of page.Items ?? []) {
          if (typeof item.team === 'string' && typeof item.spendUsd === 'number') totals.set(item.team, item.spendUsd);
        }
      }
    });
    return totals;
  }

  /** Claims a once-a-month notice (`warn` or `over`) for a team: true the first time only. */
  claimNotice(month: string, team: string, level: 'warn' | 'over'): Promise<boolean> {
    const item = {
      [PK]: monthPk(month),
      [SK]: `NOTICE#${team}#${level}`,
      team,
      level,
      [TTL]: this.#ttl(),
    };
    return conditionalWrite('PutItem', this.#options.region, () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      ),
    );
  }

  /** One transaction: every entry's mark moved from what it read, and each team's sum added. False when refused. */
  async #commit(entries: readonly SpendEntry[], month: string): Promise<boolean> {
    if (entries.length === 0) return true;
    const ttl = this.#ttl();
    const byTeam = new Map<string, number>();
    for (const entry of entries) byTeam.set(entry.team, (byTeam.get(entry.team) ?? 0) + entry.usd);
    const marks: TransactItem[] = entries.map((entry) => ({
      Update: {
        TableName: this.#table,
        Key: { [PK]: instancePk(entry.instanceId), [SK]: 'SPEND' },
        UpdateExpression: 'SET #countedTo = :to, #instanceId = :id, #ttl = :ttl',
        ConditionExpression: entry.previous === null ? 'attribute_not_exists(#countedTo)' : '#countedTo = :previous',
        ExpressionAttributeNames: { '#countedTo': 'countedTo', '#instanceId': 'instanceId', '#ttl': TTL },
        ExpressionAttributeValues: {
          ':to': entry.countedTo,
          ':id': entry.instanceId,
          ':ttl': ttl,
          ...(entry.previous === null ? {} : { ':previous': entry.previous }),
        },
      },
    }));
    const totals: TransactItem[] = [...byTeam].map(([team, usd]) => ({
      Update: {
        TableName: this.#table,
        Key: { [PK]: monthPk(month), [SK]: `TEAM#${team}` },
        UpdateExpression: 'ADD #spendUsd :usd SET #team = :team, #month = :month, #ttl = :ttl',
        ExpressionAttributeNames: { '#spendUsd': 'spendUsd', '#team': 'team', '#month': 'month', '#ttl': TTL },
        // Cents are what a budget is counted in; tenths of a cent keep the sum of many small additions honest.
        ExpressionAttributeValues: {
          ':usd': Math.round(usd * 1000) / 1000,
          ':team': team,
          ':month': month,
          ':ttl': ttl,
        },
      },
    }));
    try {
      await this.#client.send(new TransactWriteCommand({ TransactItems: [...marks, ...totals] }));
      return true;
    } catch (error) {
      if (isRefused(error)) return false;
      throw toAwsError(error, 'TransactWriteItems', this.#options.region);
    }
  }

  #ttl(): number {
    return Math.floor((this.#options.now?.() ?? new Date()).getTime() / 1000) + KEEP_SECONDS;
  }
}

export type { BudgetLedgerOptions };
export { DynamoBudgetLedger };
