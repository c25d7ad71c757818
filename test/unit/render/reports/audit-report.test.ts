import { describe, expect, it } from 'vitest';
import { auditReport, renderAuditReport } from '../../../../shared/render/reports/audit-report';
import { columns } from '../../../../shared/render/tables/terminal-wrap';
import { item, TO, WEEK } from '../../../helpers/audit-items';

const FROM = new Date(TO.getTime() - 7 * 86_400_000);

describe('the audit report', () => {
  it('counts events by event, rule, owner and instance type', () => {
    const report = auditReport(WEEK, FROM, TO);
    expect(report.events).toBe(WEEK.length);
    expect(Object.values(report.byEvent).reduce((a, b) => a + b, 0)).toBe(WEEK.length);
    expect(report.byOwner['bo@example.com']).toBeGreaterThan(0);
  });

  it('never prints an owner tag raw: control sequences are removed', () => {
    const hostile = item('i-x', 'WARNED', '2024-05-02T10:00:00.000Z', { owner: 'eve\u001b[2J\u001b[31m\r\nroot' });
    const text = renderAuditReport(auditReport([hostile], FROM, TO));
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\r');
    expect(text).toContain('eve');
  });
});

describe('the audit report for people', () => {
  const owner = (i: number) => `someone-with-a-rather-long-address-${i}@machine-learning-research.example.com`;
  /** 25 instances in two accounts, each stopped 2h20m before it started again; plus 5 kept out of reach. */
  const fleet = Array.from({ length: 25 }, (_, i) => {
    const id = `i-0${String(i).padStart(16, 'b')}`;
    const fields = { owner: owner(i), accountId: i % 2 ? '111111111111' : '222222222222', instanceType: 'g5.12xlarge' };
    return [
      item(id, 'STOPPED', '2024-05-02T10:00:00.000Z', { ...fields, hourlyUsd: 5.672, gpuCount: 4 }),
      item(id, 'WARNED', '2024-05-02T13:00:00.000Z', { ...fields, launchTime: '2024-05-02T12:20:00.000Z' }),
    ];
  }).flat();
  const since = '2024-05-01T00:00:00.000Z';
  const outOfReach = Array.from({ length: 5 }, (_, i) => ({
    ...item(`i-0${String(i).padStart(16, 'c')}`, 'SKIPPED', '2024-05-02T12:00:00.000Z', {
      owner: owner(i),
      rule: null,
    }),
    reason: 'kept out of reach: opt-out',
    evidence: { launchTime: since, outOfReach: 'opt-out', outOfReachSince: since },
  }));
  const text = renderAuditReport(auditReport([...fleet, ...outOfReach], FROM, TO));

  it('fits every line within 100 columns, the long explanations wrapped', () => {
    const wide = text.split('\n').filter((line) => columns(line) > 100);
    expect(wide).toEqual([]);
    // Nothing is lost by the wrapping: the explanations read the same once joined.
    expect(text.replace(/\n\s*/g, ' ')).toContain("never past the instance's next launch. usd = hours × hourlyUsd");
  });

  it('rounds hours and GPU-hours to one decimal', () => {
    // 25 × 2h20m = 58.33 h, × 4 GPUs = 233.33 GPU-hours.
    expect(text).toContain('$330.87 and 233.3 GPU-hours avoided by 25 actions');
    expect(text).toMatch(/│ 58\.3\s+│/);
    // Besides dollars (to the cent) and ISO instants, no number has more than one decimal.
    const numbers = text.replace(/\$[\d,]+\.\d{2}/g, '$').replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, 'ISO');
    expect(numbers).not.toMatch(/(?<![\w.])\d+\.\d{2,}/);
  });

  it('says "1 event for 1 instance" and "N events for N instances"', () => {
    const single = renderAuditReport(auditReport([item('i-1', 'WARNED', '2024-05-02T10:00:00.000Z')], FROM, TO));
    expect(single.split('\n')[0]).toMatch(/: 1 event for 1 instance$/);
    expect(text.split('\n')[0]).toMatch(/: 55 events for 30 instances$/);
  });
});
