/**
 * The fleet report's HTML page (`report --html FILE`) in a real browser: a realistic week's audit written to a file,
 * opened offline in headless Chromium (Debian's /usr/bin/chromium through playwright-core; never a downloaded
 * browser), checked for its numbers and charts, and screenshotted to reports/fleet-report.png (and to
 * docs/images/fleet-report.png when that is missing, or with GPU_REAPER_UPDATE_DOCS=1). A second page whose tags try
 * to inject an image shows them as text and fetches nothing. Skipped where no browser can be had, and it says why.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { renderFleetHtml } from '../../shared/render/reports/fleet-html';
import { fleetAuditFixture } from '../helpers/fleet-audit-fixture';
import { findBrowser } from './browser';

const browserLookup = findBrowser();
const CHROMIUM = 'path' in browserLookup ? browserLookup.path : '';
const SUITE = 'report --html in headless Chromium';
if ('missing' in browserLookup) console.warn(`gpu-reaper: skipping the fleet page test: ${browserLookup.missing}`);

const CONTEXT = {
  since: '7d',
  regions: ['us-east-1', 'us-west-2'],
  policy: 'idle below 5% for 30m, never used after 2h, stop',
};
/** Would fetch from a local port if it ever became markup. */
const HOSTILE = '<img src="http://127.0.0.1:9/pwned.png">';

const work = mkdtempSync(join(tmpdir(), 'gpu-reaper-fleet-e2e-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!CHROMIUM)('missing' in browserLookup ? `${SUITE} (skipped: ${browserLookup.missing})` : SUITE, () => {
  it('renders the headline, the charts and their numbers offline, and shows hostile tags as text', async () => {
    const audit = fleetAuditFixture();
    const file = join(work, 'fleet.html');
    writeFileSync(file, renderFleetHtml(audit, CONTEXT));
    const [first] = audit.runs;
    const hostile = fleetAuditFixture({
      groups: { Team: { [HOSTILE]: audit.groups.Team!.research! } },
      runs: [{ ...first!, owner: HOSTILE, tags: { Name: HOSTILE } }],
    });
    const hostileFile = join(work, 'hostile.html');
    writeFileSync(hostileFile, renderFleetHtml(hostile, CONTEXT));

    // A fresh profile (playwright-core passes it as --user-data-dir); nothing reaches the network from here.
    const browser = await chromium.launchPersistentContext(mkdtempSync(join(work, 'profile-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) requests.push(request.url());
      });
      await page.goto(`file://${file}`);
      expect(await page.title()).toMatch(/^gpu-reaper fleet report 2026-12-01 08:00 UTC/);
      expect(await page.locator('#headline').textContent()).toBe(
        '$12,345.67 on GPUs over 7 days: 39% below 5% utilization; 11 of 40 instances never used.',
      );
      const ids = ['chart-fleet-bands', 'chart-group-0', 'chart-group-1', 'chart-runs', 'chart-right-sizing'];
      for (const id of [...ids, 'chart-budgets']) {
        const chart = page.locator(`svg#${id}`);
        await expect(chart.count()).resolves.toBe(1);
        expect((await chart.boundingBox())?.width, id).toBeGreaterThan(300);
        expect(await chart.locator(':scope > title').textContent(), id).toBeTruthy();
      }
      // A group's amount, drawn at the end of its bar and in its table.
      const research = page.locator('svg#chart-group-0 g.group[data-value="research"]');
      expect(await research.textContent()).toContain('$6,650.65 · 36.2% below 5%');
      await expect(page.locator('svg#chart-group-0 g.group').count()).resolves.toBe(4);
      await expect(page.locator('svg#chart-group-1 g.group').count()).resolves.toBe(3);
      await expect(page.getByRole('cell', { name: '$2,410.20' }).count()).resolves.toBe(1);
      // The costliest run, first.
      const runs = page.locator('svg#chart-runs g.run');
      await expect(runs.count()).resolves.toBe(20);
      const top = await runs.first().textContent();
      expect(top).toContain('i-0c3d8a6f1e9b20033');
      expect(top).toContain('$1,575.35 · 22% busy');
      expect(top).toContain('carol@example.com · Dec 3 10:00 UTC – still running');
      const second = await runs.nth(1).textContent();
      expect(second).toContain('i-0a1f3c9e2b7d40011');
      expect(second).toContain('alice@example.com · Dec 2 10:00 UTC – Dec 4 03:30 UTC');
      // Right-sizing: each suggestion, and the one not judged in words.
      const sizing = page.locator('svg#chart-right-sizing g.right-sizing');
      await expect(sizing.count()).resolves.toBe(3);
      const best = await sizing.first().textContent();
      expect(best).toContain('g5.12xlarge → g5.xlarge');
      expect(best).toContain('1 of 4 GPUs ever busy at once');
      expect(best).toContain('saves $783.89/week');
      const text = await page.locator('body').textContent();
      expect(text).toContain('i-04f7b3d8e2a4100aa (g4dn.12xlarge, 4 GPUs): its GPU metric is one series');
      expect(text).toContain('would save $2,088.37 a week');
      expect(await page.locator('svg#chart-budgets').textContent()).toContain(
        '$4,310.00 of $4,000.00 (108%), over budget',
      );
      await expect(page.locator('script, img, link, iframe').count()).resolves.toBe(0);

      const reports = join(process.cwd(), 'reports');
      mkdirSync(reports, { recursive: true });
      const shot = join(reports, 'fleet-report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      expect(statSync(shot).size).toBeLessThan(600_000);
      const docs = join(process.cwd(), 'docs', 'images', 'fleet-report.png');
      if (!existsSync(docs) || process.env.GPU_REAPER_UPDATE_DOCS === '1') {
        mkdirSync(dirname(docs), { recursive: true });
        copyFileSync(shot, docs);
      }

      await page.goto(`file://${hostileFile}`);
      await expect(page.locator('script, img, link, iframe').count()).resolves.toBe(0);
      expect(await page.locator('svg#chart-group-0').textContent()).toContain('<img src="http://127.0.0.');
      expect(await page.locator('svg#chart-runs').textContent()).toContain('<img src="http://127.0.0.');
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
