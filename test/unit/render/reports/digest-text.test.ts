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
