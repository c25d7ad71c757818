/**
 * An owner's phone opening the "keep it for 4h" link of a WARNED message in headless Chromium (Debian's, through
 * playwright-core; never a downloaded one): the confirmation page loads nothing from anywhere and changes nothing;
 * pressing its button (the page's own form, not a hand-made POST) keeps the instance, after which the message's other
 * links, whose warning is withdrawn, say so. The page as the owner sees it is saved to reports/owner-confirm.png (and
 * to docs/images/owner-confirm.png when that is missing). Skipped where no browser can be had, and it says why.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DescribeTagsCommand } from '@aws-sdk/client-ec2';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchInstances, minutes, putGpuSeries } from '../helpers/fleet';
import { useMoto } from '../helpers/moto';
import { ownerFixture } from '../integration/owner-actions/owner-fixture';
import { findBrowser } from './browser';

const browserLookup = findBrowser();
const CHROMIUM = 'path' in browserLookup ? browserLookup.path : '';
const SUITE = 'the owner confirmation page in headless Chromium';
if ('missing' in browserLookup) console.warn(`gpu-reaper: skipping the owner page test: ${browserLookup.missing}`);

const moto = useMoto({ threaded: false });
const MIN = 60_000;
const work = mkdtempSync(join(tmpdir(), 'gpu-reaper-owner-e2e-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!CHROMIUM)('missing' in browserLookup ? `${SUITE} (skipped: ${browserLookup.missing})` : SUITE, () => {
  it('shows what will happen, changes nothing until the button is pressed, then keeps the instance', async () => {
    const fx = await ownerFixture(moto.region);
    const launch = Math.floor(Date.now() / MIN) * MIN;
    const [id] = await launchInstances(fx.ec2, {
      instanceType: 'g5.xlarge',
      tags: { Owner: 'carol@example.com', Name: 'jupyter-notebook' },
    });
    await putGpuSeries(fx.cloudwatch, id!, minutes(launch, 120, 1));
    await fx.pass(new Date(launch + 40 * MIN + 30_000));
    const url = await fx.linkOf(id!, 'keep:4h');
    const snoozeTag = async () => {
      const answer = await fx.ec2.send(
        new DescribeTagsCommand({
          Filters: [
            { Name: 'resource-id', Values: [id!] },
            { Name: 'key', Values: ['gpu-reaper:snooze-until'] },
          ],
        }),
      );
      return answer.Tags?.[0]?.Value;
    };

    const browser = await chromium.launchPersistentContext(mkdtempSync(join(work, 'profile-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 390, height: 720 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(`${request.method()} ${request.url().split('?')[0]}`));
      const opened = await page.goto(url);
      expect(opened?.status()).toBe(200);
      expect(await page.title()).toMatch(/^Keep i-\w+ for 4h\? · gpu-reaper$/);
      await expect(page.locator('dd').allTextContents()).resolves.toEqual(
        expect.arrayContaining([`${id} (jupyter-notebook)`, 'carol@example.com', 'running']),
      );
      await expect(page.locator('script').count()).resolves.toBe(0);
      // The page alone: one GET, nothing else fetched; and nothing changed by opening it.
      expect(requests).toEqual([`GET ${fx.server.url}`]);
      expect(await snoozeTag()).toBeUndefined();

      // Every run leaves its screenshot in reports/; the committed one in docs/ is written when missing, or
      // refreshed on purpose with GPU_REAPER_UPDATE_DOCS=1 (ids and times differ from run to run).
      const reports = join(process.cwd(), 'reports');
      mkdirSync(reports, { recursive: true });
      const shot = join(reports, 'owner-confirm.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(5_000);
      expect(statSync(shot).size).toBeLessThan(200_000);
      const docs = join(process.cwd(), 'docs', 'images', 'owner-confirm.png');
      if (!existsSync(docs) || process.env.GPU_REAPER_UPDATE_DOCS === '1') {
        mkdirSync(dirname(docs), { recursive: true });
        copyFileSync(shot, docs);
      }

      await page.getByRole('button', { name: 'Keep 4h' }).click();
      await page.waitForLoadState('domcontentloaded');
      expect(await page.locator('h1').textContent()).toBe('Done');
      expect(await page.locator('body').textContent()).toContain('Kept until');
      expect(requests).toEqual([`GET ${fx.server.url}`, `POST ${fx.server.url}`]);
      expect(await snoozeTag()).toMatch(/^\d{4}-\d\d-\d\dT/);
      const events = (await fx.audit.byInstance(id!)).map((item) => `${item.event}:${item.by}`);
      expect(events.sort()).toEqual(['CLEARED:owner', 'SNOOZED:owner', 'WARNED:reaper']);

      // Back and press again: the link is used up, and the page says so.
      await page.goBack();
      const again = await page.goto(url);
      expect(again?.status()).toBe(410);
      // The message's stop link belonged to the warning the keep withdrew: it says so, and offers no button.
      const stale = await page.goto(await fx.linkOf(id!, 'stop'));
      expect(stale?.status()).toBe(410);
      expect(await page.locator('h1').textContent()).toBe('This warning is no longer pending');
      await expect(page.locator('button').count()).resolves.toBe(0);
    } finally {
      await browser.close();
      await fx.server.stop();
    }
  });
});
