/**
 * Joins the stored warnings to the scanned instances. A warning recorded for an earlier launch of the instance
 * (it was stopped and started since) is stale: the new run starts with a clean slate.
 */
import type { InstanceInput } from '../engine';
import type { StateStore, StoredWarning } from './ports';

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
): Promise<(InstanceInput & { stored?: StoredWarning })[]> {
  const ids = inputs.map((input) => input.instance.instanceId);
  // Only instances that carry a snooze tag can have a sighting: the rest cost no read.
  const snoozed = snoozeTag === undefined ? ids : inputs.filter((input) => carries(input, snoozeTag)).map(idOf);
  const [stored, snoozes] = await Promise.all([
    store.load(ids),
    snoozed.length > 0 ? store.loadSnoozes?.(snoozed) : undefined,
  ]);
  return inputs.map((input) => {
    const warning = stored.get(input.instance.instanceId);
    const snooze = snoozes?.get(input.instance.instanceId) ?? null;
    return warning && isCurrent(warning, input)
      ? { ...input, warning, stored: warning, snooze }
      : { ...input, warning: null, snooze };
  });
}

export { warningsFor };
