/**
 * A missing DynamoDB table as one clear line. The table name is configuration (`--table`, `auditTable`), so a
 * table that does not exist is a setup mistake: exit 2 ("bad usage or config"), like a bad config key, and never
 * a pass that goes on to report `errors 0` after every state and audit call failed.
 */
import { UsageError } from '../shared/errors';

/** The instance id a pass's first read asks the table for (a read that changes nothing, to prove the table is there). */
const TABLE_PROBE = 'i-gpu-reaper-table-check';

/** True when `error`, or an error in its `cause` chain, is DynamoDB's "table not found". */
function isMissingTable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current.name === 'ResourceNotFoundException') return true;
    current = current.cause;
  }
  return false;
}

/** The one-line error for a table that is not there. */
function missingTable(table: string, region: string, error?: unknown): UsageError {
  const message =
    `table "${table}" not found in ${region}: name an existing table in that region ` +
    '(--table or "auditTable"), or deploy the stack, which creates it';
  return new UsageError(message, { cause: error });
}

/**
 * Runs `work` against the table; a missing table becomes {@link missingTable}, anything else passes through.
 *
 * @throws UsageError when the table does not exist in `region`
 * @example await onTable('gpu-reaper-audit', 'us-east-1', () => store.load(['probe']));
 */
async function onTable<T>(table: string, region: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isMissingTable(error)) throw missingTable(table, region, error);
    throw error;
  }
}

export { isMissingTable, missingTable, onTable, TABLE_PROBE };
