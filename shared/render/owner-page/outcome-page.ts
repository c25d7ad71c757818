/**
 * The pages an owner sees after pressing the button, or instead of the confirmation: what was done, or why nothing
 * was (a changed, expired or used link, an instance no longer running). Always plain words, never a stack trace.
 */
import type { InstanceView } from '../../owner-actions/ports';
import { facts, html, page } from './html';

/**
 * Why a link was refused: before anything was looked up, or (`stale`) because the warning it came with is no longer
 * the one pending.
 */
type RefusedLink = 'missing' | 'forged' | 'account' | 'expired' | 'outdated' | 'used' | 'stale' | 'method' | 'failed';

const REFUSALS: Readonly<Record<RefusedLink, { readonly title: string; readonly text: string }>> = {
  missing: { title: 'No link to check', text: 'This address needs the link from a gpu-reaper message.' },
  forged: {
    title: 'This link is not valid',
    text: 'It was changed, or gpu-reaper did not make it. Nothing was changed. Use the link from the message as it came.',
  },
  account: {
    title: 'This link is for an account gpu-reaper does not cover here',
    text: 'The account it names is not one of the accounts this reaper looks after (or no longer is). Nothing was changed. Set the tags the message names instead, or ask your platform team.',
  },
  expired: {
    title: 'This link has expired',
    text: 'Links work until a day after the planned action. Nothing was changed. Set the tags the message names instead.',
  },
  outdated: {
    title: 'This link is out of date',
    text: 'It comes from a message of an earlier gpu-reaper version. Nothing was changed. The next warning about the instance brings links that work; until then, set the tags the message names.',
  },
  stale: {
    title: 'This warning is no longer pending',
    text: 'The warning this link came with was withdrawn, carried out or replaced by another, or the instance was restarted since. Nothing was changed. The latest message about the instance says what is planned now.',
  },
  used: {
    title: 'This link was used already',
    text: 'Each link works once. Nothing more was changed. The messages about the instance say what happened.',
  },
  method: { title: 'Not supported', text: 'Open the link from the message, then press the button on the page.' },
  failed: {
    title: 'Something went wrong',
    text: 'The reaper could not finish your request; the link still works, so try again in a minute.',
  },
};

/** A page saying why a link was refused; nothing was changed. */
function renderRefusedPage(reason: RefusedLink): string {
  const { title, text } = REFUSALS[reason];
  return page(title, html`<p>${text}</p>`);
}

/** The page after the button: what was done (or why not), and the instance it was done to. */
function renderOutcomePage(input: {
  readonly done: boolean;
  readonly summary: string;
  readonly view: Pick<InstanceView, 'instanceId' | 'region' | 'name'>;
  /** A stop in dry-run mode: the page says the instance kept running. */
  readonly dryRunStop: boolean;
  /** Nothing was changed, so the link was not used up: the page says it still works. @default false */
  readonly stillWorks?: boolean;
}): string {
  const title = input.done ? 'Done' : 'Nothing was done';
  const dryRun = input.dryRunStop
    ? html`<p class="banner">The reaper runs in dry-run mode: the instance was not stopped.</p>`
    : html``;
  const again = input.stillWorks
    ? html`<p>Nothing was changed, so this link was not used up: it works again while its warning is pending.</p>`
    : html``;
  const body = html`<p>${input.summary}</p>${again}${dryRun}${facts([
    ['Instance', input.view.name ? `${input.view.instanceId} (${input.view.name})` : input.view.instanceId],
    ['Region', input.view.region],
  ])}<p class="note">Owners are told by the usual messages too. You can close this page.</p>`;
  return page(title, body);
}

export type { RefusedLink };
export { renderOutcomePage, renderRefusedPage };
