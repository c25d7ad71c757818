/**
 * The owner-action endpoint against moto, wired as the Lambda wires it: a KMS HMAC key, the state table, the
 * topic and its inbox, the loopback server serving the handler, and reaper passes whose WARNED messages carry the
 * signed links (read back from the inbox, as an owner's mail client would have them).
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import type { ConfigInput } from '../../../shared/config';
import { drainQueue, type InboxMessage } from '../../../shared/local/demo-inbox';
import { startOwnerActionServer } from '../../../shared/local/owner-action-server';
import { composeOwnerActions, composeOwnerLinks } from '../../../shared/owner-actions/compose';
import { composePublisher, composeRegions, composeTable } from '../../../shared/pass/compose';
import { runPass } from '../../../shared/pass/run-pass';
import { reaperResources } from '../../helpers/reaper-resources';

/** Creates the HMAC key the links are signed with (`HMAC_256`, `GENERATE_VERIFY_MAC`). */
async function createLinkKey(region: string): Promise<string> {
  const kms = new KMSClient(clientOptions(region));
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Description: 'gpu-reaper links' }),
  );
  return KeyMetadata!.KeyId!;
}

/** A fixture; `clock.now` is the endpoint's clock (tests move it with the passes). Stop the server after. */
async function ownerFixture(region: string, overrides: ConfigInput = {}) {
  const resources = await reaperResources(region, 'owner-test', overrides);
  const { config, table, topicArn, sqs, queueUrl } = resources;
  const keyId = await createLinkKey(region);
  const clock = { now: new Date() };
  const logged: { level: string; message: string; attributes?: Record<string, unknown> }[] = [];
  const keep = (level: string) => (message: string, attributes?: Record<string, unknown>) =>
    logged.push({ level, message, attributes });
  const log = { info: keep('info'), warn: keep('warn'), error: keep('error') };
  const deps = composeOwnerActions({ config, homeRegion: region, table, topicArn, keyId, log, now: () => clock.now });
  const server = await startOwnerActionServer(deps);
  const edges = { config, regions: [region], homeRegion: region, table, topicArn };
  /** A reaper pass at `now` (the endpoint's clock follows); `topicArn` overrides where its messages go. */
  const pass = (now: Date, options: { topicArn?: string } = {}) => {
    clock.now = now;
    const publishing = { ...edges, ...options };
    return runPass({
      config,
      now,
      ...composeRegions(edges),
      ...composeTable(edges, table),
      publisher: composeOwnerLinks(composePublisher(publishing), {
        config,
        homeRegion: region,
        keyId,
        baseUrl: server.url,
      }),
    });
  };
  const received: InboxMessage[] = [];
  /** Everything the topic delivered so far (kept: the queue gives each message once). */
  const inbox = async () => {
    received.push(...(await drainQueue(sqs, queueUrl)));
    return received;
  };
  /** The link of `action` in the last WARNED message about `instanceId`. */
  const linkOf = async (instanceId: string, action: string) => {
    const warned = (await inbox()).filter((m) => m.event.event === 'WARNED' && m.event.instanceId === instanceId);
    const link = warned.at(-1)?.event.links?.find((l) => l.action === action);
    if (!link) throw new Error(`no ${action} link in a WARNED message for ${instanceId}`);
    return link.url;
  };
  return { ...resources, keyId, server, pass, inbox, linkOf, logged, clock, deps };
}

/** An owner's browser: GET a link, POST its form (the token in the body, as the page's form sends it). */
const open = (url: string) => fetch(url, { redirect: 'manual' });
const press = (url: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: new URL(url).searchParams.get('t') ?? '' }).toString(),
  });

export { createLinkKey, open, ownerFixture, press };
