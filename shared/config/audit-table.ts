/**
 * The DynamoDB table's key design, shared by `infra/` (which creates the table and its index) and the audit and
 * state adapters (which read and write it), so the two cannot drift.
 *
 * - Audit event: `pk = INSTANCE#<instanceId>`, `sk = EVENT#<at ISO>#<event>#<transition id>`; "all events of
 *   instance X" is a Query on `pk` with `sk` beginning `EVENT#`.
 * - The same item carries `gsi1pk = DAY#<YYYY-MM-DD>` and `gsi1sk = <at ISO>#<instanceId>`; "all events between T1
 *   and T2" is one Query on the `by-time` index per day in the range. Never a Scan.
 * - Warning state: `pk = INSTANCE#<instanceId>`, `sk = STATE`; it carries no `event` attribute.
 * - `ttl` (epoch seconds) expires items after `auditRetention`.
 */
const AuditTableDesign = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeIndexName: 'by-time',
  timeIndexPartitionKey: 'gsi1pk',
  timeIndexSortKey: 'gsi1sk',
  ttlAttribute: 'ttl',
} as const;

export { AuditTableDesign };
