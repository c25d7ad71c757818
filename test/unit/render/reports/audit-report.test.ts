import { describe, expect, it } from 'vitest';
import { auditReport, renderAuditReport } from '../../../../shared/render/reports/audit-report';
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
