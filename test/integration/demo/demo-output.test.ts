/**
 * The demo as a new user first sees it (`npm run demo`): the whole story against its own local endpoint, every line
 * within a 100-column terminal, instants in reasons written as the headings are, a protected instance never
 * shown as about to be stopped, and the organization scene (a hub and two member accounts, one in enforce).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../../shared/local/demo-story';
import { consoleDemoPrinter } from '../../../shared/render/tables/demo-printer';

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal colour codes is the point here.
const ANSI = /\x1b\[[0-9;]*m/g;

describe('npm run demo', () => {
  let lines: string[] = [];
  beforeAll(async () => {
    const written: string[] = [];
    await runDemo(consoleDemoPrinter((text) => written.push(text)));
    lines = written.join('\n').replace(ANSI, '').split('\n');
  }, 120_000);

  it('fits a 100-column terminal, every line of it', () => {
    const widest = Math.max(...lines.map((line) => Array.from(line).length));
    expect(widest).toBeLessThanOrEqual(100);
    expect(lines.filter((line) => Array.from(line).length > 100)).toEqual([]);
  });

  it('writes the instants of reasons as the headings do (14:57 UTC), never as raw ISO', () => {
    expect(lines.filter((line) => /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(/.test(line))).toEqual([]);
    expect(lines.some((line) => /━━ pass 1\/5 at launch \+ 0h35m \(\d\d:\d\d UTC\)/.test(line))).toBe(true);
    expect(lines.some((line) => /will stop at \d\d:\d\d UTC \(in 30m\)/.test(line))).toBe(true);
  });

  it('shows an owner opening the link of the WARNED email and pressing Keep 4h, then the SNOOZED event', () => {
    const scene = lines.findIndex((line) => /━━ carol@example\.com answers from the WARNED email/.test(line));
    expect(scene).toBeGreaterThan(0);
    const told = lines.slice(scene, scene + 10).join('\n');
    expect(told).toMatch(/GET {2}http:\/\/127\.0\.0\.1:\d+\/\?t=/);
    expect(told).toMatch(/→ 200: "Keep i-\w+ for 4h\?"/);
    expect(told).toMatch(/presses "Keep 4h": POST → 200: Done\. Kept until \d\d:\d\d UTC/);
    expect(told).toMatch(/→ SNOOZED +jupyter-notebook +snoozed +by owner/);
    // The next pass leaves the notebook snoozed rather than stopping it.
    expect(lines.some((line) => /│ jupyter-notebook │ skip: snoozed/.test(line))).toBe(true);
    expect(lines.some((line) => /│ jupyter-notebook │ act/.test(line))).toBe(false);
  });

  it('shows no stop for the protected instance, only what happens', () => {
    const rows = lines.filter((line) => line.startsWith('│ protected-box'));
    const protectedRows = rows.filter((line) => line.includes('skip: protected'));
    expect(protectedRows.length).toBeGreaterThan(0);
    for (const [index, line] of lines.entries()) {
      if (!line.includes('skip: protected')) continue;
      expect(lines[index + 1]).toMatch(/│\s+│ none \(protected\)\s+│/);
    }
  });

  it('shows a hub and two member accounts: targets, decisions, audit items and report by account', () => {
    const scene = lines.findIndex((line) => line.startsWith('━━ many accounts: a hub and two member accounts'));
    expect(scene).toBeGreaterThan(0);
    const told = lines.slice(scene);
    const member = (name: string) =>
      told
        .map((line) => new RegExp(`│ (\\d{12}) +│ ${name} +│ arn:aws:sts::\\1:assumed-role/`).exec(line)?.[1])
        .find(Boolean)!;
    const research = member('research');
    const platform = member('platform');
    expect(research).toMatch(/^\d{12}$/);
    expect(platform).toMatch(/^\d{12}$/);
    expect(research).not.toBe(platform);
    // Each account × region is a target of its own, research in enforce by override, platform in dry-run.
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(
        told.some((line) => new RegExp(`│ ${research} +│ research +│ ${region} +│ enforce +│ ok`).test(line)),
      ).toBe(true);
      expect(
        told.some((line) => new RegExp(`│ ${platform} +│ platform +│ ${region} +│ dry-run +│ ok`).test(line)),
      ).toBe(true);
    }
    // The hub's audit trail carries each event's accountId: a stop in research, only WOULD_STOP in platform.
    const audit = told.slice(told.findIndex((line) => line.startsWith("━━ the hub's audit trail")));
    expect(audit.some((line) => new RegExp(`│ ${research} +│ research +│ STOPPED +│ rs-notebook`).test(line))).toBe(
      true,
    );
    expect(
      audit.some((line) => new RegExp(`│ ${platform} +│ platform +│ WOULD_STOP +│ pf-setup-fail`).test(line)),
    ).toBe(true);
    expect(audit.some((line) => new RegExp(`│ ${platform} +│ platform +│ STOPPED`).test(line))).toBe(false);
    // The report groups by account, and by owner within it.
    const report = told.slice(told.findIndex((line) => line.startsWith('━━ gpu-reaper report an hour later')));
    expect(report.some((line) => new RegExp(`│ ${research} +│ research +│ \\(all\\) +│ 2 +│ 1 `).test(line))).toBe(
      true,
    );
    expect(report.some((line) => new RegExp(`│ ${platform} +│ platform +│ \\(all\\) +│ 2 +│ 0 `).test(line))).toBe(
      true,
    );
    expect(report.some((line) => /│ +│ +│ lee@example\.com +│ 2 /.test(line))).toBe(true);
    expect(told).toContain('research   rs-notebook     stopped');
    expect(told).toContain('platform   pf-setup-fail   running');
  });
});
