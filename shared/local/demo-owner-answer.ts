/**
 * The demo's owner scene: the owner of a warned instance opens the "keep it for 4h" link of its WARNED email on the
 * loopback endpoint, as a browser would (a GET shows the confirmation page and changes nothing; the page's POST
 * keeps it), and the story shows what each answered and what was recorded.
 */
import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { OwnerLink, ReaperEvent } from '../core/events';
import type { InboxMessage } from './demo-inbox';

/** The owner scene: who opened which link when, what each request answered, and the events it recorded. */
interface OwnerScene {
  readonly owner: string;
  readonly instanceId: string;
  readonly minutesAfterLaunch: number;
  readonly now: Date;
  readonly link: OwnerLink;
  readonly opened: { readonly status: number; readonly title: string };
  readonly pressed: { readonly status: number; readonly title: string; readonly summary: string };
  readonly events: readonly ReaperEvent[];
}

/** What a link's page (GET) and its button (POST) answered: status, heading and first paragraph of each. */
interface LinkAnswers {
  readonly opened: { readonly status: number; readonly title: string; readonly summary: string };
  readonly pressed: { readonly status: number; readonly title: string; readonly summary: string };
}

/** The instance whose WARNED email the owner answers, and when (minutes after launch, after its warning). */
const OWNER_SCENE = { instance: 'jupyter-notebook', action: 'keep:4h', minutes: 115 } as const;

const textOf = (html: string, tag: string) =>
  (new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`).exec(html)?.[1] ?? '')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .trim();

/**
 * The owner opens the keep link of the instance's WARNED email through the loopback endpoint, as a browser would:
 * a GET (the confirmation page, nothing changes), then the page's POST (the button).
 */
async function answerFromEmail(
  messages: readonly InboxMessage[],
  instanceId: string,
  minutesAfterLaunch: number,
  now: Date,
): Promise<Omit<OwnerScene, 'events'> | null> {
  const warned = messages.find((m) => m.event.event === 'WARNED' && m.event.instanceId === instanceId);
  const link = warned?.event.links?.find((l) => l.action === OWNER_SCENE.action);
  if (!warned || !link) return null;
  return {
    owner: warned.event.owner ?? 'the owner',
    instanceId,
    minutesAfterLaunch,
    now,
    link,
    ...(await followLink(link.url)),
  };
}

/**
 * Follows a signed link as a browser does: a GET (the confirmation page; nothing changes), then the page's POST (its
 * button, the token in the form body). Each answer's status, heading and first paragraph.
 */
async function followLink(url: string): Promise<LinkAnswers> {
  const page = await fetch(url);
  const confirm = await page.text();
  const token = new URL(url).searchParams.get('t') ?? '';
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: token }).toString(),
  });
  const done = await answer.text();
  return {
    opened: { status: page.status, title: textOf(confirm, 'h1'), summary: textOf(confirm, 'p') },
    pressed: { status: answer.status, title: textOf(done, 'h1'), summary: textOf(done, 'p') },
  };
}

/** The HMAC key the links are signed with (`HMAC_256`, `GENERATE_VERIFY_MAC`). */
async function createLinkKey(kms: KMSClient): Promise<string> {
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Description: 'gpu-reaper links' }),
  );
  return KeyMetadata!.KeyId!;
}

export type { LinkAnswers, OwnerScene };
export { answerFromEmail, createLinkKey, followLink, OWNER_SCENE };
