/**
 * A moto server (serving one request at a time) with the audit table created the way the stack creates it, and real SDK clients pointed at it
 * through `AWS_ENDPOINT_URL`. Every DynamoDB operation sent is recorded (from the `X-Amz-Target` header), so tests
 * can prove that reads are Queries and never Scans.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAuditTable } from '../../../shared/adapters/audit-table-setup';

interface LocalTable {
  readonly tableName: string;
  readonly base: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  /** DynamoDB operations sent so far (`Query`, `PutItem`, …), oldest first. */
  readonly operations: string[];
  stop(): Promise<void>;
}

/**
 * `python3 -m moto.server` with one change: requests are served one at a time. moto's own server is threaded and
 * does not lock a table between checking a condition and writing, so two concurrent conditional writes can both
 * succeed (seen here: 2 double `claimWarn` and 1 double `claimAct` wins in 150 four-way races). DynamoDB applies
 * conditional writes to one item atomically; serving requests serially is the faithful stand-in, while the
 * passes' calls still overlap in flight.
 */
const SERIAL_MOTO = `
import sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
run_simple(sys.argv[1], int(sys.argv[2]), DomainDispatcherApplication(create_backend_app), threaded=False)
`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`moto server did not answer at ${endpoint} within ${timeoutMs} ms`);
}

/** Starts moto (serially, see above), points the SDK at it and creates the audit table. */
async function startLocalTable(tableName = 'gpu-reaper-audit'): Promise<LocalTable> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(process.env.PYTHON ?? 'python3', ['-c', SERIAL_MOTO, '127.0.0.1', String(port)], {
    stdio: 'ignore',
  });
  try {
    await waitUntilAnswering(endpoint, child, 60_000);
  } catch (error) {
    child.kill();
    throw error;
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  const base = new DynamoDBClient({});
  const operations: string[] = [];
  base.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      const target = headers['x-amz-target'] ?? headers['X-Amz-Target'];
      if (target) operations.push(target.replace(/^DynamoDB_\d+\./, ''));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordDynamoOperations' },
  );
  await createAuditTable(base, tableName);
  const documents = DynamoDBDocumentClient.from(base);
  return {
    tableName,
    base,
    documents,
    operations,
    stop: async () => {
      base.destroy();
      child.kill();
    },
  };
}

export type { LocalTable };
export { startLocalTable };
