/**
 * The warning-state item (`pk = INSTANCE#<id>`, `sk = STATE`) read back as plain data. An item that does not parse
 * (hand-edited, written by a future version) is treated as absent rather than failing the pass.
 */
import { AuditTableDesign } from '../../config/audit-table';
import type { StoredWarning, WarningPhase } from '../../core/ports';
import type { Action, RuleName } from '../../engine/types';

const PHASES: readonly string[] = ['warned', 'acting', 'acted', 'protected'] satisfies readonly WarningPhase[];
const ACTIONS: readonly string[] = ['stop', 'terminate', 'notify'] satisfies readonly Action[];

/** A stored warning as read from the table, with the instance it belongs to. */
interface StateRecord {
  readonly instanceId: string;
  readonly warning: StoredWarning;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function instant(value: unknown): Date | null {
  const raw = text(value);
  if (raw === null) return null;
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Reads one state item; `undefined` when it does not parse or its TTL has passed (DynamoDB deletes expired items
 * lazily, up to days later, so an expired item may still be returned).
 */
function parseStateItem(item: Record<string, unknown>, nowSeconds: number): StateRecord | undefined {
  const instanceId = text(item.instanceId);
  const rule = text(item.rule);
  const action = text(item.action);
  const phase = text(item.phase);
  const actAt = instant(item.actAt);
  if (!instanceId || !rule || !action || !phase || !actAt) return undefined;
  if (!ACTIONS.includes(action) || !PHASES.includes(phase)) return undefined;
  const ttl = item[AuditTableDesign.ttlAttribute];
  if (typeof ttl === 'number' && ttl < nowSeconds) return undefined;
  const launchTime = instant(item.launchTime);
  return {
    instanceId,
    warning: {
      rule: rule as RuleName,
      action: action as Action,
      actAt,
      warnedAt: instant(item.warnedAt),
      // Written undelivered (`delivered: false`) and stamped on delivery; an item without either predates tracking.
      ...(item.deliveredAt !== undefined
        ? { deliveredAt: instant(item.deliveredAt) }
        : item.delivered === false
          ? { deliveredAt: null }
          : {}),
      phase: phase as WarningPhase,
      launchTime: launchTime ? launchTime.toISOString() : null,
      passId: text(item.passId) ?? '',
    },
  };
}

export type { StateRecord };
export { parseStateItem };
