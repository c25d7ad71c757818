/**
 * Hibernating rather than plainly stopping: an instance set up for hibernation (EC2 `HibernationOptions.Configured`)
 * is stopped with `Hibernate: true` when `actions.hibernate` is on (the default), so a notebook's kernels and
 * everything else in memory survive the stop. The decision says so (evidence `hibernate: true` and its reason), so
 * the owner's WARNED and STOPPED messages can too.
 */
import type { Config } from '../config';
import type { Decision, InstanceFacts } from '../engine';

/** What the reason gains when the stop will hibernate the instance. */
const HIBERNATE_NOTE = 'set up for hibernation, so the stop hibernates it and its memory is kept';

/**
 * Whether a stop of this instance hibernates it: it is set up for hibernation and `actions.hibernate` is on.
 *
 * @example hibernates({ ...facts, hibernation: true }, config) // true with the default config
 */
function hibernates(instance: InstanceFacts, config: Config): boolean {
  return config.actions.hibernate && instance.hibernation === true;
}

/**
 * The decision, saying it will hibernate when it plans or takes a stop of an instance that {@link hibernates}:
 * evidence `hibernate: true`, and a note in the reason. Other decisions come back as they are.
 */
function withHibernation(decision: Decision, instance: InstanceFacts, config: Config): Decision {
  const plansStop = decision.action === 'stop' && (decision.outcome === 'warn' || decision.outcome === 'act');
  if (!plansStop || !hibernates(instance, config) || decision.evidence.hibernate === true) return decision;
  return {
    ...decision,
    reason: `${decision.reason}; ${HIBERNATE_NOTE}`,
    evidence: { ...decision.evidence, hibernate: true },
  };
}

/** {@link withHibernation} over a fleet's decisions, each with its instance's facts. */
function fleetWithHibernation(
  decisions: readonly Decision[],
  inputs: readonly { readonly instance: InstanceFacts }[],
  config: Config,
): Decision[] {
  const facts = new Map(inputs.map(({ instance }) => [instance.instanceId, instance]));
  return decisions.map((decision) => {
    const instance = facts.get(decision.instanceId);
    return instance ? withHibernation(decision, instance, config) : decision;
  });
}

export { fleetWithHibernation, hibernates, withHibernation };
