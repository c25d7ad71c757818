/**
 * Reads that can change a decision, and no others: an instance whose last reading was busy is not read again until a
 * telemetry rule could hold (`nextTelemetryRead`), unless an idle or never-used warning is pending for it (its act
 * pass always reads); an instance out of reach by its tags (opted out, managed elsewhere) is read at most hourly
 * (`outOfReachRead`), and only while its current tags still keep it out of reach.
 * The schedule lives in the state table, written only when it moves; a restart or a config change voids it.
 */
import type { Config } from '../config';
import { configHash } from '../config';
import type { ReadSchedule, StateStore, StoredWarning } from '../core/ports';
import { type InstanceInput, nextTelemetryRead, outOfReachRead, surelyOutOfReach } from '../engine';
import { mapWithConcurrency } from './concurrency';
import type { ReadSelection } from './scan-fleet';

/** The schedule a reading leaves: the later of the busy schedule and the out-of-reach one; `null` to read next pass. */
function scheduleOf(input: InstanceInput, config: Config, now: Date): { nextReadAt: Date; outOfReach: boolean } | null {
  const busy = nextTelemetryRead(input, config);
  const reach = outOfReachRead(input.instance, config, now);
  // The busy schedule holds whatever the tags: prefer it when it reaches as far.
  if (reach !== null && (busy === null || reach > busy)) return { nextReadAt: reach, outOfReach: true };
  return busy === null ? null : { nextReadAt: busy, outOfReach: false };
}

/**
 * The pass's read selection (`select`, before the reads) and its bookkeeping (`record`, after the decisions).
 *
 * @example const schedules = readSchedules(store, config, now, onProblem); await scanFleet(readers, config, now, schedules.select);
 */
function readSchedules(
  store: StateStore,
  config: Config,
  now: Date,
  onProblem: (message: string, error: unknown) => void,
): {
  select?: ReadSelection;
  record: (inputs: readonly InstanceInput[]) => Promise<void>;
  /** The states loaded while selecting, so the pass does not load them twice. */
  preloaded?: { ids: Set<string>; states: Map<string, StoredWarning> };
} {
  const { loadReadSchedules, saveReadSchedule } = store;
  if (!loadReadSchedules || !saveReadSchedule) return { record: async () => {} };
  const hash = configHash(config);
  const known = new Map<string, ReadSchedule>();
  const preloaded = { ids: new Set<string>(), states: new Map<string, StoredWarning>() };
  const select: ReadSelection = async (instances) => {
    const ids = instances.map((instance) => instance.instanceId);
    const [schedules, warnings] = await Promise.all([loadReadSchedules.call(store, ids), store.load(ids)]);
    for (const id of ids) preloaded.ids.add(id);
    for (const [id, state] of warnings) preloaded.states.set(id, state);
    const notDue = new Map<string, Date>();
    for (const instance of instances) {
      const schedule = schedules.get(instance.instanceId);
      if (!schedule) continue;
      known.set(instance.instanceId, schedule);
      const launch = instance.launchTime.toISOString();
      const pending = warnings.get(instance.instanceId);
      const current = schedule.launchTime === launch && schedule.configHash === hash;
      // A pending warning of a telemetry rule is re-read every pass (its act pass must see the GPU); a deadline's
      // (max-runtime, expired) needs no metrics.
      const warned =
        pending !== undefined &&
        (pending.rule === 'idle' || pending.rule === 'never-used') &&
        (pending.launchTime === null || pending.launchTime === launch);
      // Written because the tags kept it out of reach: the opt-out tag removed, it is read this pass.
      const holds = schedule.outOfReach !== true || surelyOutOfReach(instance, config, now);
      if (current && !warned && holds && now < schedule.nextReadAt)
        notDue.set(instance.instanceId, schedule.nextReadAt);
    }
    return notDue;
  };
  const record = async (inputs: readonly InstanceInput[]) => {
    const writes = inputs.flatMap((input) => {
      if (input.telemetry.status !== 'ok') return [];
      const next = scheduleOf(input, config, now);
      if (next === null) return [];
      const launchTime = input.instance.launchTime.toISOString();
      const old = known.get(input.instance.instanceId);
      const same =
        old?.nextReadAt.getTime() === next.nextReadAt.getTime() &&
        (old.outOfReach === true) === next.outOfReach &&
        old.launchTime === launchTime &&
        old.configHash === hash;
      const schedule: ReadSchedule = {
        nextReadAt: next.nextReadAt,
        launchTime,
        configHash: hash,
        ...(next.outOfReach ? { outOfReach: true } : {}),
      };
      return same ? [] : [{ id: input.instance.instanceId, schedule }];
    });
    await mapWithConcurrency(writes, 8, ({ id, schedule }) =>
      saveReadSchedule.call(store, id, schedule).catch((error: unknown) => {
        // Not fatal: without its schedule the instance is simply read next pass.
        onProblem(`recording when to read ${id} next failed`, error);
      }),
    );
  };
  return { select, record, preloaded };
}

export { readSchedules };
