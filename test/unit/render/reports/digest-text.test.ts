/**
 * The report as `gpu-reaper report` prints it and as the weekly digest mails it: counts, money and GPU-hours
 * avoided (and would-have in dry run), and the definition of "avoided".
 */
import { describe, expect, it } from 'vitest';
import { auditReport, renderAuditReport } from '../../../../shared/render/reports/audit-report';
import { renderDigest } from '../../../../shared/render/reports/digest-text';
import { item, TO, WEEK } from '../../../helpers/audit-items';

const FROM = new Date('2024-05-01T00:00:00.000Z');

describe('auditReport', () => {
  it('counts the events and carries the avoided money in the JSON document', () => {
    const report = auditReport(WEEK, FROM, TO);
    expect(report).toMatchObject({
      from: '2024-05-01T00:00:00.000Z',
      to: '2024-05-03T00:00:00.000Z',
      events: 8,
      instances: 5,
      byEvent: { STOPPED: 3, WARNED: 3, TERMINATED: 1, WOULD_STOP: 1 },
      avoided: { actions: 4, usd: 272.66, gpuHours: 79 },
      wouldHaveAvoided: { actions: 1, usd: 5.26, gpuHours: 10 },
    });
    expect(JSON.parse(JSON.stringify(report)).avoided.method).toContain('hours × hourlyUsd');
  });

  it('prints the avoided totals by rule, owner and instance type, and how they are estimated', () => {
    const text = renderAuditReport(auditReport(WEEK, FROM, TO));
    expect(text).toContain('$272.66 and 79 GPU-hours avoided by 4 actions (1 without a price)');
    expect(text).toContain('$5.26 and 10 GPU-hours would have been avoided (dry run) by 1 action');
    expect(text).toMatch(/never-used\s*│\s*1\s*│\s*4\s*│\s*\$220\.16\s*│\s*32/);
    expect(text).toContain('How "avoided" is estimated: For each STOPPED or TERMINATED event');
  });
});

describe('renderDigest', () => {
  it('sums the week up in the subject, starting [gpu-reaper], under 100 characters', () => {
    const { subject } = renderDigest(auditReport(WEEK, FROM, TO));
    expect(subject).toBe('[gpu-reaper] weekly digest: $272.66 avoided, 4 actions, 8 events');
    expect(subject.length).toBeLessThanOrEqual(100);
  });

  it('lists money and GPU-hours avoided by rule, owner and instance type as plain text', () => {
    const { text } = renderDigest(auditReport(WEEK, FROM, TO));
    expect(text).toContain('gpu-reaper digest for 2024-05-01T00:00:00.000Z to 2024-05-03T00:00:00.000Z');
    expect(text).toContain('8 events for 5 instances.');
    expect(text).toContain('Avoided: $272.66 and 79 GPU-hours avoided by 4 actions (1 without a price).');
    expect(text).toContain(
      '  by rule:\n    never-used: $220.16, 32 GPU-hours, 1 action\n    idle: $28.36, 23 GPU-hours, 2 actions',
    );
    expect(text).toContain('  by owner:\n    bo@example.com: $220.16, 32 GPU-hours, 1 action');
    expect(text).toContain('    g9.mega: $0.00, 3 GPU-hours, 1 action');
    expect(text).toContain('Would have avoided (dry run): $5.26 and 10 GPU-hours would have been avoided by 1 action.');
    expect(text).toContain('Events: WARNED 3, STOPPED 3, TERMINATED 1, WOULD_STOP 1');
    expect(text).toContain('How "avoided" is estimated: For each STOPPED or TERMINATED event');
    expect(text).not.toMatch(/[│┌└]/);
  });

  it('says what a dry run would have avoided when nothing was stopped', () => {
    const dryRun = [item('i-5', 'WOULD_STOP', '2024-05-02T14:00:00.000Z', { hourlyUsd: 0.526 })];
    const { subject, text } = renderDigest(auditReport(dryRun, FROM, TO));
    expect(subject).toBe('[gpu-reaper] weekly digest: $5.26 would have been avoided (dry run), 1 event');
    expect(text).toContain('Avoided: nothing.');
  });

  it('says so when the week was quiet', () => {
    const { subject, text } = renderDigest(auditReport([], FROM, TO));
    expect(subject).toBe('[gpu-reaper] weekly digest: $0.00 avoided, 0 actions, 0 events');
    expect(text).toContain('Events: none');
  });
});

describe('kept out of reach', () => {
  const outOfReachItem = (instanceId: string, kind: string, hourlyUsd: number | null, owner: string | null) => ({
    ...item(instanceId, 'SKIPPED', '2024-05-02T12:00:00.000Z', { hourlyUsd, owner, rule: null }),
    reason: `kept out of reach: ${kind}`,
    evidence: { launchTime: '2024-05-01T00:00:00.000Z', outOfReach: kind, outOfReachSince: '2024-05-01T00:00:00.000Z' },
  });
  const items = [
    ...WEEK,
    outOfReachItem('i-opt', 'opt-out', 1.006, 'ana@example.com'),
    outOfReachItem('i-eks', 'managed-by-service', 32.7726, null),
    outOfReachItem('i-odd', 'notify-only', null, 'eve\u001b[2J'),
  ];

  it('carries the list and its totals in the JSON document', () => {
    const report = JSON.parse(JSON.stringify(auditReport(items, FROM, TO)));
    expect(report.outOfReach.map((e: { instanceId: string }) => e.instanceId)).toEqual(['i-eks', 'i-opt', 'i-odd']);
    expect(report.outOfReach[0]).toMatchObject({ kind: 'managed-by-service', hours: 48, usd: 1573.08 });
    expect(report.outOfReachTotals).toMatchObject({ instances: 3, hours: 144, usd: 1621.37, unpriced: 1 });
    expect(report.outOfReachTotals.method).toContain('at on-demand price');
  });

  it('prints a "Kept out of reach" table with kind, owner, hours and dollars', () => {
    const text = renderAuditReport(auditReport(items, FROM, TO));
    // The headline is wrapped to 100 columns; joined, it reads as one sentence.
    expect(text.replace(/\n\s*/g, ' ')).toContain(
      'Kept out of reach: 3 instances, 144 hours, $1,621.37 at on-demand price (managed-by-service 1, opt-out 1, notify-only 1, 1 without a price)',
    );
    expect(text).toMatch(/opt-out\s*│\s*i-opt\s*│\s*ana@example\.com\s*│\s*g5\.xlarge\s*│\s*48\s*│\s*\$48\.29/);
    expect(text).toMatch(/notify-only\s*│\s*i-odd\s*│\s*eve[^│]*│\s*g5\.xlarge\s*│\s*48\s*│\s*no price/);
    expect(text).not.toContain('\u001b');
    expect(text).toContain('How "kept out of reach" is counted:');
  });

  it('lists them in the digest, and says so when nothing was', () => {
    const { text } = renderDigest(auditReport(items, FROM, TO));
    expect(text).toContain('Kept out of reach: 3 instances, 144 hours, $1,621.37 at on-demand price');
    expect(text).toContain('    managed-by-service: i-eks (g5.xlarge, unknown owner), 48 hours, $1,573.08');
    expect(text).toContain('    notify-only: i-odd (g5.xlarge, eve');
    expect(text).not.toContain('\u001b');
    expect(renderDigest(auditReport(WEEK, FROM, TO)).text).toContain('Kept out of reach: nothing.');
  });
});
