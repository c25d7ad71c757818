/**
 * Joins the stored warnings to the scanned instances. A warning recorded for an earlier launch of the instance
 * (it was stopped and started since) is stale: the new run starts with a clean slate.
 */
import type { Config } from '../config';
import type { StateStore, StoredWarning } from '../core/ports';
import type { InstanceInput } from '../engine';
import { approvalsCount } from '../engine/rules/unapproved';
import { TagName } from '../engine/tags';

/** True when the stored warning belongs to the instance's current launch. */
function isCurrent(stored: StoredWarning, input: InstanceInput): boolean {
  return stored.launchTime === null || stored.launchTime === input.instance.launchTime.toISOString();
}

/**
 * Loads the warnings of these instances and attaches them: the table is the source of truth, so an instance
 * without a current warning gets `null` (the `warned` tag is then ignored).
 */
const idOf = (input: InstanceInput) => input.instance.instanceId;

/** Whether the instance carries the tag, its key matched ignoring case and surrounding whitespace. */
function carries(input: InstanceInput, tag: string): boolean {
  const wanted = tag.trim().toLowerCase();
  return Object.keys(input.instance.tags).some((key) => key.trim().toLowerCase() === wanted);
}

async function warningsFor(
  inputs: readonly InstanceInput[],
  store: StateStore,
  /** The `snooze-until` tag key in force; without it every instance's sighting is read. */
  snoozeTag?: string,
  /** States this pass already loaded (while choosing what to read): those instances are not loaded again. */
  preloaded?: { readonly ids: ReadonlySet<string>; readonly states: ReadonlyMap<string, StoredWarning> },
  /** The `approved-until` tag key in force, when approvals count (gating or budgets); else none is read. */
  approvalTag?: string,
): Promise<(InstanceInput & { stored?: StoredWarning })[]> {
  const ids = inputs.map((input) => input.instance.instanceId);
  const missing = preloaded ? ids.filter((id) => !preloaded.ids.has(id)) : ids;
  // Only instances that carry a snooze tag can have a sighting: the rest cost no read.
  const snoozed = snoozeTag === undefined ? ids : inputs.filter((input) => carries(input, snoozeTag)).map(idOf);
  const approved = approvalTag === undefined ? [] : inputs.filter((input) => carries(input, approvalTag)).map(idOf);
  const [loaded, snoozes, approvals] = await Promise.all([
    missing.length > 0 ? store.load(missing) : new Map<string, StoredWarning>(),
    snoozed.length > 0 ? store.loadSnoozes?.(snoozed) : undefined,
    approved.length > 0 ? store.loadApprovals?.(approved) : undefined,
  ]);
  const stored = (id: string) => loaded.get(id) ?? preloaded?.states.get(id);
  return inputs.map((input) => {
    const warning = stored(input.instance.instanceId);
    const snooze = snoozes?.get(input.instance.instanceId) ?? null;
    const approval = approvals?.get(input.instance.instanceId) ?? null;
    return warning && isCurrent(warning, input)
      ? { ...input, warning, stored: warning, snooze, approval }
      : { ...input, warning: null, snooze, approval };
  });
}

/** The `approved-until` tag key when approvals count (gating or budgets), else `undefined` (none is read). */
function approvalTagOf(config: Config): string | undefined {
  return approvalsCount(config) ? `${config.tagPrefix}${TagName.approvedUntil}` : undefined;
}

export { approvalTagOf, warningsFor };
