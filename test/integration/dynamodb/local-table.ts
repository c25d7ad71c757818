/**
 * The audit table on a local moto server, created the way the stack creates it, with real SDK clients pointed at
 * it. moto serves one request at a time here: its threaded server does not lock an item between checking a
 * condition and writing, so concurrent conditional writes could both win, while DynamoDB applies them atomically.
 * Every DynamoDB operation sent is counted, so tests can prove that reads are Queries and never Scans.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CallCounter } from '../../../shared/adapters/aws/clients';
import { createAuditTable } from '../../../shared/adapters/dynamodb/audit-table-setup';
import { localAwsEnv, startMotoServer } from '../../../shared/local/moto-server';

interface LocalTable {
  readonly tableName: string;
  readonly base: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  /** Calls by `DynamoDB:<Operation>` so far. */
  readonly counter: CallCounter;
  stop(): Promise<void>;
}

/** Starts moto (serially), points the SDK at it and creates the audit table. */
async function startLocalTable(tableName = 'gpu-reaper-audit'): Promise<LocalTable> {
  const server = await startMotoServer({ threaded: false });
  Object.assign(process.env, localAwsEnv(server.endpoint));
  const counter = new CallCounter();
  const base = counter.attach(new DynamoDBClient({}));
  await createAuditTable(base, tableName);
  return {
    tableName,
    base,
    documents: DynamoDBDocumentClient.from(base),
    counter,
    stop: async () => {
      base.destroy();
      await server.stop();
    },
  };
}

export type { LocalTable };
export { startLocalTable };
