/**
 * A publisher that signs the owner's links into each WARNED message as it goes out. The event the pass recorded
 * (audit item, outbox entry) stays as it was: tokens live only in the message. A key that cannot sign costs the
 * links, never the warning: the message goes out with the tag instructions alone and the failure is reported.
 */
import type { EventPublisher } from '../core/ports';
import { type LinkSettings, ownerLinks } from './owner-links';

/**
 * Wraps `inner` so that WARNED messages carry signed links.
 *
 * @param onProblem told when the links could not be signed (the message then goes without them)
 * @example const publisher = withOwnerLinks(new Notifier(sns, topicArn), { key, baseUrl, links, snoozeCeiling });
 */
function withOwnerLinks<P extends EventPublisher>(
  inner: P,
  settings: LinkSettings,
  onProblem: (message: string, error: unknown) => void = () => {},
): EventPublisher {
  return {
    async publish(event) {
      // The approvers' copy comes with its own links (approvers-copy.ts): never the owner's.
      if (event.event !== 'WARNED' || event.audience === 'approvers') return inner.publish(event);
      const links = await ownerLinks(event, settings).catch((error: unknown) => {
        onProblem(`signing the owner's links for ${event.instanceId} failed; the warning goes without them`, error);
        return [];
      });
      return inner.publish(links.length > 0 ? { ...event, links } : event);
    },
    ...(inner.publishAdmin
      ? { publishAdmin: (subject: string, text: string) => inner.publishAdmin!(subject, text) }
      : {}),
  };
}

export { withOwnerLinks };
