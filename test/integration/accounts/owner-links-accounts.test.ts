/**
 * Owners in member accounts answering their links, end to end on moto's organization: target passes sign the
 * links with the hub's key, the hub's endpoint (loopback server, composed as the Lambda composes it) verifies
 * each token and acts through the account's spoke role (moto lands the assumed role's calls in that account). A
 * member account's owner keeps an instance (the snooze tag in the member account, SNOOZED and CLEARED by the owner
 * in the hub's audit table with that account), another stops one (STOPPED by the owner); a token for an account
 * that is not a target, or whose account was changed, changes nothing.
 */
import { DescribeTagsCommand } from '@aws-sdk/client-ec2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallCounter, clientOptions } from '../../../shared/adapters/aws/clients';
import { parseConfig } from '../../../shared/config';
import { drainQueue, type InboxMessage } from '../../../shared/local/demo-inbox';
import { type OwnerActionServer, startOwnerActionServer } from '../../../shared/local/owner-action-server';
import { composeOwnerActions } from '../../../shared/owner-actions/compose';
import { resolveTargets, runTargetPasses } from '../../../shared/pass/targets';
import { useMoto } from '../../helpers/moto';
import { createLinkKey, open, press } from '../owner-actions/owner-fixture';
import { accountsFixture, memberClients } from './accounts-fixture';

const moto = useMoto({ threaded: false });

describe('owner links in member accounts', () => {
  let fx: Awaited<ReturnType<typeof accountsFixture>>;
  let server: OwnerActionServer;
  let keyId: string;
  const counter = new CallCounter();
  const logged: string[] = [];
  const received: InboxMessage[] = [];

  /** The hub's config: OU `a` (and its child `a1`, which enforces), not OU `b`. */
  const hubConfig = () =>
    parseConfig({
      mode: 'dry-run',
      regions: [moto.region],
      auditTable: fx.hub.table,
      topicArn: fx.hub.topicArn,
      accounts: { organization: { ous: [fx.ous.a] }, overrides: { [fx.accounts.a1]: { mode: 'enforce' } } },
    });

  /** Target passes at `m` minutes after launch, signing links for `server`; the inbox kept. */
  const passes = async (config: ReturnType<typeof hubConfig>, m: number) => {
    const organizations = new OrganizationsClient(clientOptions(moto.region));
    const targets = await resolveTargets(config, { organizations, homeRegion: moto.region });
    const edges = {
      config,
      now: new Date(fx.at(m)),
      homeRegion: moto.region,
      table: fx.hub.table,
      topicArn: fx.hub.topicArn,
      links: { keyId, baseUrl: server.url },
    };
    const outcomes = await runTargetPasses(targets, edges, 'run');
    received.push(...(await drainQueue(fx.hub.sqs, fx.hub.queueUrl)));
    return outcomes;
  };
  const linkOf = (accountId: string, action: string) => {
    const instanceId = fx.instances[accountId];
    const warned = received.filter((m) => m.event.event === 'WARNED' && m.event.instanceId === instanceId);
    const link = warned.at(-1)?.event.links?.find((l) => l.action === action);
    if (!link) throw new Error(`no ${action} link for ${accountId}`);
    return link.url;
  };
  const tagsIn = async (accountId: string) => {
    const { ec2 } = memberClients(accountId, moto.region);
    const filters = [{ Name: 'resource-id', Values: [fx.instances[accountId]!] }];
    const answer = await ec2.send(new DescribeTagsCommand({ Filters: filters }));
    return Object.fromEntries((answer.Tags ?? []).map((t) => [t.Key, t.Value]));
  };
  const auditOf = async (accountId: string) =>
    (await fx.hub.audit.byInstance(fx.instances[accountId]!)).map((i) => `${i.event}:${i.by}:${i.accountId}`);

  beforeAll(async () => {
    fx = await accountsFixture(moto.region);
    keyId = await createLinkKey(moto.region);
    const keep = (message: string) => logged.push(message);
    const log = { info: keep, warn: keep, error: keep };
    const deps = composeOwnerActions({
      config: hubConfig(),
      homeRegion: moto.region,
      table: fx.hub.table,
      topicArn: fx.hub.topicArn,
      keyId,
      log,
      accountId: '123456789012',
      clients: { counter },
    });
    server = await startOwnerActionServer(deps);
    await passes(hubConfig(), 70);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("signs the owner's links into the WARNED messages of every target account", () => {
    for (const account of [fx.accounts.a, fx.accounts.a1]) {
      expect(linkOf(account, 'keep:4h').startsWith(server.url)).toBe(true);
      expect(linkOf(account, 'stop')).toContain('t=');
    }
  });

  it("keeps a member account's instance by link: the snooze tag in that account, SNOOZED and CLEARED by the owner", async () => {
    const { a } = fx.accounts;
    const url = linkOf(a, 'keep:4h');
    const page = await open(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(fx.instances[a]!);
    expect((await tagsIn(a))['gpu-reaper:snooze-until']).toBeUndefined();

    const pressed = await press(url);
    expect(pressed.status).toBe(200);
    expect(await pressed.text()).toContain('Kept until');
    const tags = await tagsIn(a);
    expect(tags['gpu-reaper:snooze-until']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(tags['gpu-reaper:warned']).toBeUndefined();
    expect(await auditOf(a)).toEqual(
      expect.arrayContaining([`SNOOZED:owner:${a}`, `CLEARED:owner:${a}`, `WARNED:reaper:${a}`]),
    );
    // Through the member account's spoke role; the other accounts saw nothing of it.
    expect(counter.calls('STS:AssumeRole')).toBeGreaterThan(0);
    expect((await tagsIn(fx.accounts.a1))['gpu-reaper:snooze-until']).toBeUndefined();
  });

  it("stops a member account's instance by link (enforce by override): STOPPED by the owner", async () => {
    const { a1 } = fx.accounts;
    const url = linkOf(a1, 'stop');
    expect((await open(url)).status).toBe(200);
    const pressed = await press(url);
    expect(pressed.status).toBe(200);
    expect(await pressed.text()).toContain('Stopped.');
    expect(await fx.stateIn(a1)).toMatch(/^stopp/);
    expect(await auditOf(a1)).toContain(`STOPPED:owner:${a1}`);
  });

  it('refuses a token for an account that is not a target (403), with no AssumeRole into it', async () => {
    const { b } = fx.accounts;
    // A wider config signs a link for OU b with the same key; the hub's endpoint covers OU a only.
    const wider = parseConfig({ ...hubConfig(), accounts: { ...hubConfig().accounts!, ids: [b] } });
    await passes(wider, 71);
    const url = linkOf(b, 'keep:4h');
    counter.reset();
    for (const response of [await open(url), await press(url)]) {
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('an account gpu-reaper does not cover');
    }
    expect(counter.calls('STS:AssumeRole')).toBe(0);
    expect((await tagsIn(b))['gpu-reaper:snooze-until']).toBeUndefined();
    expect(await fx.stateIn(b)).toBe('running');
    expect(await auditOf(b)).not.toContain(`SNOOZED:owner:${b}`);
  });

  it('refuses a token whose account was changed as forged (403)', async () => {
    const { a, a1 } = fx.accounts;
    const url = new URL(linkOf(a1, 'keep:4h'));
    const [payload, mac] = (url.searchParams.get('t') ?? '').split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const account = Object.keys(claims).find((key) => claims[key] === a1);
    expect(account).toBeDefined();
    const forged = Buffer.from(JSON.stringify({ ...claims, [account!]: a }), 'utf8').toString('base64url');
    url.searchParams.set('t', `${forged}.${mac}`);
    for (const response of [await open(url.toString()), await press(url.toString())]) {
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('This link is not valid');
    }
  });
});
