/**
 * A publisher that sends the approvers their own copy of an `unapproved` warning: the owner's copy goes out as ever,
 * then the same event marked `audience: "approvers"` with the approve links (approver-links.ts). That copy carries
 * the `audience` attribute and no `owner` attribute (render/notifications/sns-message.ts), so an owner's subscription
 * never receives the approve links, and the approvers' subscriptions receive only it.
 *
 * The warning is delivered once both copies are: a failed approvers' copy fails the publish, the outbox keeps the
 * event and a later pass sends both again (the grace runs from that delivery, so approvers never silently miss the
 * request the action waits on). A key that cannot sign costs the links only: the approvers' copy then goes with the
 * tag instructions alone and the failure is reported.
 */
import type { EventPublisher } from '../core/ports';
import { type ApproverLinkSettings, approverLinks, asksForApproval } from './approver-links';

/**
 * Wraps `inner` so that each `unapproved` WARNED event is also published as the approvers' copy.
 *
 * @param settings how the approve links are signed; `null`: no key or endpoint, the copy goes without links
 * @param onProblem told when the approve links could not be signed
 * @example const publisher = withApproversCopy(withOwnerLinks(notifier, owners), { key, baseUrl, approveFor, maxRuntimeCeiling });
 */
function withApproversCopy(
  inner: EventPublisher,
  settings: ApproverLinkSettings | null,
  onProblem: (message: string, error: unknown) => void = () => {},
): EventPublisher {
  return {
    async publish(event) {
      const result = await inner.publish(event);
      if (!asksForApproval(event) || event.audience === 'approvers') return result;
      const links =
        settings === null
          ? []
          : await approverLinks(event, settings).catch((error: unknown) => {
              onProblem(
                `signing the approve links for ${event.instanceId} failed; the approvers' copy goes without them`,
                error,
              );
              return [];
            });
      const { links: _owners, ...shared } = event;
      await inner.publish({ ...shared, audience: 'approvers', ...(links.length > 0 ? { links } : {}) });
      return result;
    },
    ...(inner.publishAdmin
      ? { publishAdmin: (subject: string, text: string) => inner.publishAdmin!(subject, text) }
      : {}),
  };
}

export { withApproversCopy };
