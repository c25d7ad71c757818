/**
 * The confirmation page a link opens (GET): the instance, its owner, what pressing the button will do and until
 * when. It changes nothing: mail scanners open links, so only the button's POST acts. The token rides in a hidden
 * field of that form.
 */
import type { InstanceView } from '../../owner-actions/ports';
import { formatUtc } from '../text/utc-time';
import { facts, html, page } from './html';

/** A keep or an approval: how long (as asked, or the ceiling it was capped at) and until when. */
interface TimedAsk {
  readonly duration: string;
  readonly until: Date;
  readonly capped: boolean;
}

/** What the page asks the owner to confirm. */
interface ConfirmPageInput {
  readonly token: string;
  /** The instance and its pending warning (a page is shown only for a link whose warning is pending). */
  readonly view: Omit<InstanceView, 'stale'>;
  /** `keep` for a snooze (with its length and end), `approve` for an approver's approval, `stop` for stop now. */
  readonly ask:
    | ({ readonly kind: 'keep' } & TimedAsk)
    | ({ readonly kind: 'approve' } & TimedAsk)
    | { readonly kind: 'stop' };
  readonly mode: 'dry-run' | 'enforce';
  readonly tagPrefix: string;
  readonly expiresAt: Date;
}

function planned(view: ConfirmPageInput['view']): string {
  if (view.warning === null) return 'nothing pending';
  return `${view.warning.action} at ${formatUtc(view.warning.actAt.toISOString())} (rule ${view.warning.rule})`;
}

/**
 * The approver's page: the instance, its type and owner, and until when it may run once approved (that instant
 * becomes its deadline). The page knows the token and the live instance only, so it names no cost.
 */
function renderApprovePage(
  input: ConfirmPageInput & { readonly ask: { readonly kind: 'approve' } & TimedAsk },
): string {
  const { view, ask } = input;
  const until = formatUtc(ask.until.toISOString());
  const body = html`${facts([
    ['Instance', view.name ? `${view.instanceId} (${view.name})` : view.instanceId],
    ['Type', view.instanceType],
    ['Region', view.region],
    ['Owner', view.owner ?? 'unknown (no owner tag)'],
    ['State', view.state],
    ['Planned', planned(view)],
  ])}
<p>Approving lets it run until about <strong>${until}</strong> (${ask.duration} from when you press the
button${ask.capped ? ', the longest run allowed here' : ''}): that becomes its deadline. The reaper sets the tag
<code>${input.tagPrefix}approved-until</code> and withdraws the planned ${view.warning?.action ?? 'stop'}; at the
deadline it is warned and acted on as for any maximum runtime.</p>
<form method="post">
<input type="hidden" name="t" value="${input.token}">
<button type="submit">Approve for ${ask.duration}</button>
</form>
<p class="note">Nothing has changed yet: opening this page does nothing. The link works once, until
${formatUtc(input.expiresAt.toISOString())}.</p>`;
  return page(`Approve ${view.instanceId} (${view.instanceType}) for ${ask.duration}?`, body);
}

/** The confirmation page's HTML. */
function renderConfirmPage(input: ConfirmPageInput): string {
  const { view, ask } = input;
  if (ask.kind === 'approve') return renderApprovePage({ ...input, ask });
  const keep = ask.kind === 'keep';
  const title = keep ? `Keep ${view.instanceId} for ${ask.duration}?` : `Stop ${view.instanceId} now?`;
  const effect = keep
    ? html`<p>The reaper leaves it running until about <strong>${formatUtc(ask.until.toISOString())}</strong>
(${ask.duration} from when you press the button${ask.capped ? ', the longest snooze allowed here' : ''}): it sets the
tag <code>${input.tagPrefix}snooze-until</code> and withdraws the planned ${view.warning?.action ?? 'stop'}. Its
maximum runtime and expiry still apply.</p>`
    : html`<p>It is <strong>stopped now</strong>, not at the planned time. Its EBS volumes are kept; start it again
when you need it. Right before stopping, the reaper checks again that it is running, not opted out and not
protected.</p>`;
  const dryRun =
    input.mode === 'dry-run' && !keep
      ? html`<p class="banner">The reaper runs in dry-run mode: it records the stop it would make and leaves the
instance running.</p>`
      : html``;
  const button = keep
    ? html`<button type="submit">Keep ${ask.duration}</button>`
    : html`<button type="submit" class="stop">Stop it now</button>`;
  const body = html`${facts([
    ['Instance', view.name ? `${view.instanceId} (${view.name})` : view.instanceId],
    ['Type', view.instanceType],
    ['Region', view.region],
    ['Owner', view.owner ?? 'unknown (no owner tag)'],
    ['State', view.state],
    ['Planned', planned(view)],
  ])}
${effect}${dryRun}
<form method="post">
<input type="hidden" name="t" value="${input.token}">
${button}
</form>
<p class="note">Nothing has changed yet: opening this page does nothing. The link works once, until
${formatUtc(input.expiresAt.toISOString())}.</p>`;
  return page(title, body);
}

/**
 * The page of a keep link whose pending warning a snooze does not hold back (`max-runtime`, `expired`,
 * `unapproved`): no button, and what would keep the instance instead. Nothing changes.
 */
function renderNotKeptPage(input: Pick<ConfirmPageInput, 'view' | 'tagPrefix'>): string {
  const { view, tagPrefix } = input;
  const rule = view.warning?.rule ?? 'unknown';
  const instead =
    rule === 'max-runtime'
      ? html`raise its <code>${tagPrefix}max-runtime</code> tag`
      : rule === 'expired'
        ? html`move its <code>${tagPrefix}expires-at</code> tag`
        : rule === 'unapproved'
          ? html`ask an approver to approve it (they were sent the request with this warning)`
          : html`set the tags the message names`;
  const body = html`${facts([
    ['Instance', view.name ? `${view.instanceId} (${view.name})` : view.instanceId],
    ['Region', view.region],
    ['Planned', planned(view)],
  ])}
<p>A snooze does not hold back a <strong>${rule}</strong> warning, so keeping it would not withdraw the planned
${view.warning?.action ?? 'action'}. Nothing was changed. To keep it running, ${instead}.</p>`;
  return page(`Keeping ${view.instanceId} does not withdraw this warning`, body);
}

export type { ConfirmPageInput };
export { renderConfirmPage, renderNotKeptPage };
