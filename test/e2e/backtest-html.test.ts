/**
 * The backtest's HTML report in a real browser: written to a file, opened offline in headless Chromium (Debian's
 * /usr/bin/chromium through playwright-core; never a downloaded browser), screenshotted, and checked for its charts.
 * Skipped where no browser can be had, and it says why: in its name and with a warning on stderr, never silently.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/schema';
import { type InstanceHistory, replayFleet, sweep } from '../../shared/engine/replay';
import { renderBacktestHtml } from '../../shared/render/backtest/backtest-html';
import { policyLine } from '../../shared/render/backtest/backtest-summary';
import { findBrowser } from './browser';

const browserLookup = findBrowser();
const CHROMIUM = 'path' in browserLookup ? browserLookup.path : '';
const SUITE = 'backtest --html in headless Chromium';
if ('missing' in browserLookup) console.warn(`gpu-reaper: skipping the HTML screenshot test: ${browserLookup.missing}`);

const DAY = 1_440;
const FROM = new Date('2026-11-07T00:00:00.000Z');
const TO = new Date(FROM.getTime() + 14 * DAY * 60_000);

/** A small fleet over 14 days: busy daily, idle after a burst, never used; one owner tag tries to inject markup. */
function histories(): InstanceHistory[] {
  const make = (id: string, owner: string, fill: (minute: number) => number): InstanceHistory => {
    const minutes = new Float32Array(14 * DAY).fill(Number.NaN);
    for (let minute = 0; minute < minutes.length; minute++) minutes[minute] = fill(minute);
    return { instanceId: id, instanceType: 'g5.xlarge', owner, tags: { Owner: owner }, hourlyUsd: 1.006, minutes };
  };
  const inDay = (minute: number) => minute % DAY;
  return [
    make('i-0000000000000busy', 'alice@example.com', (m) => (inDay(m) >= 480 && inDay(m) < 1080 ? 70 : Number.NaN)),
    make('i-000000000000burst', 'bob@example.com', (m) =>
      inDay(m) >= 540 && inDay(m) < 1020 ? (inDay(m) % 240 < 120 ? 60 : 2) : Number.NaN,
    ),
    make('i-0000000000000idle', '<script>document.title="pwned"</script>', (m) =>
      m >= 2 * DAY && m < 5 * DAY ? (m < 2 * DAY + 120 ? 45 : 1) : Number.NaN,
    ),
    make('i-000000000000never', 'dave@example.com', (m) => (m >= 6 * DAY && m < 8 * DAY ? 1 : Number.NaN)),
  ];
}

const work = mkdtempSync(join(tmpdir(), 'gpu-reaper-e2e-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!CHROMIUM)('missing' in browserLookup ? `${SUITE} (skipped: ${browserLookup.missing})` : SUITE, () => {
  it('renders the three charts and the tables, offline, with instance strings escaped', async () => {
    const config = parseConfig({});
    const fleet = histories();
    const window = { from: FROM, to: TO, scheduleMs: 300_000 };
    const result = replayFleet(fleet, config, window);
    const html = renderBacktestHtml(result, fleet, sweep(fleet, config, window), {
      days: 14,
      regions: ['us-east-1'],
      policy: policyLine(config),
    });
    const file = join(work, 'backtest.html');
    writeFileSync(file, html);

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
      for (const id of ['chart-utilization', 'chart-spend-by-band', 'chart-sweep']) {
        const chart = page.locator(`svg#${id}`);
        await expect(chart.count()).resolves.toBe(1);
        const box = await chart.boundingBox();
        expect(box?.width, id).toBeGreaterThan(100);
        expect(await chart.locator(':scope > title').textContent(), id).toBeTruthy();
      }
      await expect(page.locator('svg#chart-utilization g.utilization-row').count()).resolves.toBe(4);
      await expect(page.locator('svg#chart-spend-by-band g.band').count()).resolves.toBe(4);
      await expect(page.locator('svg#chart-sweep g.sweep-bar').count()).resolves.toBeGreaterThanOrEqual(24);
      await expect(page.locator('table').count()).resolves.toBeGreaterThanOrEqual(4);
      await expect(page.locator('script').count()).resolves.toBe(0);
      expect(await page.title()).toMatch(/^gpu-reaper backtest/);
      expect(await page.locator('body').textContent()).toContain('<script>document.title="pwned"</script>');
      expect(requests).toEqual([]);

      const reports = join(process.cwd(), 'reports');
      mkdirSync(reports, { recursive: true });
      const shot = join(reports, 'backtest-html.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
