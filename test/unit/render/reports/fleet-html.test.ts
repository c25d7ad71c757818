/**
 * The fleet report page's text: the headline as people read it (money, shares, plurals), every owner-controlled
 * string escaped wherever it lands (SVG text, titles, attributes, tables, lists), nothing that could fetch, and each
 * section's words for empty, single and absent cases.
 */
import { describe, expect, it } from 'vitest';
import { renderFleetHtml } from '../../../../shared/render/reports/fleet-html';
import { fleetHeadline } from '../../../../shared/render/reports/fleet-text';
import type { FleetAudit, FleetGroup } from '../../../../shared/report/fleet-audit-types';
import { fleetAuditFixture } from '../../../helpers/fleet-audit-fixture';

const CONTEXT = { since: '7d', regions: ['us-east-1'] };
const HOSTILE = '<script>alert(1)</script>';
const QUOTES = '" onmouseover="alert(2)';
const EMPTY_BANDS = { below5: 0, from5to30: 0, above30: 0, unknown: 0 };

function render(overrides: Partial<FleetAudit> = {}, context: Parameters<typeof renderFleetHtml>[1] = CONTEXT) {
  return renderFleetHtml(fleetAuditFixture(overrides), context);
}

function group(spendUsd: number): FleetGroup {
  return { instances: 1, spendUsd, neverUsed: 0, spendByBand: { ...EMPTY_BANDS, above30: spendUsd } };
}

/** The page's headline paragraph. */
function headline(html: string): string {
  return /<p class="headline" id="headline">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
}

describe('the headline on top of the page', () => {
  it('says the spend, the share below 5% and the never-used count of the week, as the table and digest do', () => {
    const audit = fleetAuditFixture();
    expect(headline(render())).toBe(
      '$12,345.67 on GPUs over 7 days: 39% below 5% utilization; 11 of 40 instances never used.',
    );
    expect(headline(render())).toBe(`${fleetHeadline(audit)}.`);
  });

  it.each([
    [{ instances: 1, neverUsed: 0 }, '; 0 of 1 instance never used.'],
    [{ instances: 1, neverUsed: 1 }, '; 1 of 1 instance never used.'],
    [{ to: '2026-12-02T08:00:00.000Z' }, ' over 1 day:'],
    [{ to: '2026-12-02T20:00:00.000Z' }, ' over 1.5 days:'],
    [{ spendUsd: 1_234_567.891 }, '$1,234,567.89 on GPUs'],
  ] as const)('writes plurals and money for people (%o)', (overrides, expected) => {
    expect(headline(render(overrides))).toContain(expected);
  });
});

describe('renderFleetHtml', () => {
  it('puts the headline on top, and every section of a full audit in order', () => {
    const html = render();
    expect(html.indexOf('id="headline"')).toBeLessThan(html.indexOf('class="cards"'));
    const order = [
      'id="chart-fleet-bands"',
      '<h2>By Team',
      '<h2>By Project',
      'id="chart-runs"',
      'id="chart-right-sizing"',
    ];
    const at = order.map((marker) => html.indexOf(marker));
    expect(at.every((index) => index > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(html).toContain('Budgets this month (December 2026)');
    expect(html).toContain('$4,310.00 of $4,000.00 (108%), over budget');
    expect(html).toContain('$9,120.40 of $10,000.00 (91%), past the 80% warning');
  });

  it('fetches nothing: no script, no src or href, no URL but the SVG namespace', () => {
    const html = render();
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(/i);
    expect(html.match(/https?:\/\/[^"\s]*/g)?.every((url) => url === 'http://www.w3.org/2000/svg')).toBe(true);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes a hostile tag value wherever it lands: group, owner, Name tag, type, reason, team, tag key', () => {
    const audit = fleetAuditFixture();
    const [first] = audit.runs;
    const html = render({
      groups: { [`Team${HOSTILE}`]: { [HOSTILE]: group(10), [QUOTES]: group(5) } },
      runs: [{ ...first!, owner: HOSTILE, instanceType: HOSTILE, tags: { Name: QUOTES } }],
      rightSizing: [{ ...audit.rightSizing[0]!, instanceId: QUOTES, suggestedType: HOSTILE }],
      rightSizingUnjudged: [{ ...audit.rightSizingUnjudged[0]!, reason: HOSTILE }],
      budgets: [{ team: HOSTILE, monthUsd: 1, budgetUsd: 10, share: 0.1 }],
      regionErrors: [{ region: HOSTILE, error: QUOTES }],
    });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('" onmouseover');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot; onmouseover=&quot;alert(2)');
  });

  it('keeps control and bidi characters of a tag value out of the page', () => {
    const html = render({ groups: { Team: { 'evil\u202etxt.exe\r\n': group(10) } } });
    expect(html).not.toMatch(/[\u202e\r]/);
    expect(html).toContain('evil txt.exe');
  });

  it('says the regions read, and the ones that could not be, before any number', () => {
    const html = render(
      { regionErrors: [{ region: 'eu-west-1', error: 'GetMetricData: AccessDenied' }] },
      {
        since: '2026-12-01T08:00:00Z',
        regions: ['us-east-1', 'eu-west-1'],
        policy: 'idle below 5% for 30m',
      },
    );
    expect(html).toContain('(--since 2026-12-01T08:00:00Z), 2 regions us-east-1, eu-west-1');
    expect(html).toContain('Policy: idle below 5% for 30m');
    expect(html).toContain('The history of 1 region could not be read');
    expect(html.indexOf('eu-west-1</b>: GetMetricData: AccessDenied')).toBeLessThan(html.indexOf('class="cards"'));
    expect(render({ regions: ['ap-south-1'] }, { since: '7d', regions: [] })).toContain('1 region ap-south-1');
  });

  it('words right-sizing for one, none and the unjudged', () => {
    const audit = fleetAuditFixture();
    const one = render({ rightSizing: audit.rightSizing.slice(0, 1) });
    expect(one).toContain('1 multi-GPU instance never used all its GPUs at once');
    expect(one).toContain('would save $783.89 a week');
    expect(one).toContain('1 of 4 GPUs ever busy at once');
    expect(render()).toContain('3 multi-GPU instances never used all their GPUs at once');
    const none = render({ rightSizing: [], rightSizingUnjudged: [] });
    expect(none).toContain('nothing to right-size');
    expect(none).toContain('Right-sizing could save<b>nothing to suggest</b>');
    expect(render()).toContain('Right-sizing could save<b>$2,088.37/week</b>');
    expect(none).not.toContain('id="chart-right-sizing"');
    expect(none).not.toContain('could not be judged');
    expect(render()).toContain(
      '<b>i-04f7b3d8e2a4100aa</b> (g4dn.12xlarge, 4 GPUs): its GPU metric is one series for all 4 GPUs',
    );
  });

  it('leaves budgets out without them, and says so when no team has spent', () => {
    expect(render({ budgets: undefined })).not.toContain('Budgets this month');
    expect(render({ budgets: [] })).toContain('No team has spent anything yet.');
  });

  it('heads the runs by their count, one run included', () => {
    const [first] = fleetAuditFixture().runs;
    expect(render()).toContain('<h2>The 20 costliest runs</h2>');
    expect(render({ runs: [first!] })).toContain('<h2>The one run</h2>');
    expect(render({ runs: [] })).toContain('No run in the period.');
  });

  it('sums a tag with many values past the twelfth into one row', () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`team-${i}`, group(100 + i)]));
    const html = render({ groups: { Team: many } });
    expect(html.match(/class="group"/g)).toHaveLength(12);
    expect(html).toContain('19 more values');
    expect(html).toContain('team-29');
    expect(html).not.toContain('>team-0<');
  });
});
