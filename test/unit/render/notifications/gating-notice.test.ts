/**
 * What owners and approvers read about cost-gating and budgets: the owner's warning (why, the approvers asked, the
 * runtime that would fit under the threshold, never an opt-out that does not hold the gate), the approvers' copy
 * (approve links, the tag by hand), an approval, and a budget notice. Decisions come from the engine.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/schema';
import type { ReaperEvent } from '../../../../shared/core/events';
import { type Decision, decideInstance } from '../../../../shared/engine';
import { buildEvent } from '../../../../shared/pass/event-builder';
import { renderNotification } from '../../../../shared/render/notifications/notification';
import { routingAttributes } from '../../../../shared/render/notifications/sns-message';
import { ago, instance, NOW, points, telemetry } from '../../engine/fixtures';

const GATING = { gating: { threshold: 200, approvers: ['ml-leads@example.com'] } };
const stamp = {
  passId: 'p-1',
  now: NOW,
  mode: 'enforce' as const,
  configHash: 'c',
  tagPrefix: 'gpu-reaper:',
  accountIdOf: () => '123456789012',
};

function decision(options: { budget?: { team: string; monthUsd: number; budgetUsd: number }; config?: object } = {}) {
  return decideInstance(
    {
      instance: instance({ instanceType: 'p4d.24xlarge', launchTime: ago('5m'), tags: { Owner: 'ana@example.com' } }),
      telemetry: telemetry(points(80, { span: '5m' })),
      warning: null,
      hourlyUsd: 21.9576,
      budget: options.budget ?? null,
    },
    parseConfig(options.config ?? GATING),
    NOW,
  );
}

const warned = (d: Decision): ReaperEvent => buildEvent(stamp, d, 'WARNED');

describe("the owner's copy of an unapproved warning", () => {
  const { subject, text } = renderNotification(warned(decision()));

  it('says what happens, when, and why in dollars', () => {
    expect(subject).toBe('[gpu-reaper] WARNED i-0aaaaaaaaaaaaaaa1 (p4d.24xlarge): needs approval - stop at 12:15 UTC');
    expect(text).toContain(
      'will be stopped at 2025-06-02 12:15 UTC (in 15m) because its projected cost of $263.49 ($21.9576/h × 12h allowed runtime) reaches the $200.00 approval threshold and no approver has approved it.',
    );
    expect(text).toContain('Projected cost: $263.49 ($21.9576/h × 12h allowed runtime); approval threshold $200.00');
  });

  it('tells the owner to ask the approvers or to shorten the run, never to opt out', () => {
    expect(text).toContain('Ask ml-leads@example.com to approve it');
    expect(text).toContain('Opting out or snoozing does not exempt it');
    expect(text).toContain('set gpu-reaper:max-runtime=9h: 9h × $21.9576/h = $197.62, under the threshold.');
    expect(text).not.toContain('Key=gpu-reaper:opt-out');
    expect(text).not.toContain('Approve for');
  });
});

describe("the approvers' copy", () => {
  const link = {
    action: 'approve:24h' as const,
    label: 'Approve for 24h',
    url: 'https://reaper.example/act?t=abc',
    expiresAt: '2025-06-03T12:15:00.000Z',
  };
  const event: ReaperEvent = { ...warned(decision()), audience: 'approvers', links: [link] };
  const { subject, text } = renderNotification(event);

  it('asks for an approval with the run, its owner and its projected cost', () => {
    expect(subject).toBe(
      '[gpu-reaper] WARNED i-0aaaaaaaaaaaaaaa1 (p4d.24xlarge): approval needed, $263.49 - stop at 12:15 UTC',
    );
    expect(text).toContain(
      'Approval needed: GPU instance i-0aaaaaaaaaaaaaaa1 (p4d.24xlarge) in us-east-1 (owner ana@example.com)',
    );
    expect(text).toContain('Approve it below to let it run; an approval becomes its deadline.');
  });

  it('carries the approve links and the tag to write by hand', () => {
    expect(text).toContain(
      'Approve for 24h: i-0aaaaaaaaaaaaaaa1, and withdraw the planned stop at 2025-06-02 12:15 UTC; it may run 24h from your click (its deadline)',
    );
    expect(text).toContain('https://reaper.example/act?t=abc');
    expect(text).toContain('Key=gpu-reaper:approved-until,Value=2025-06-03T12:00:00Z');
    expect(text).toContain('it is stopped at the planned time, and its owner is told');
  });

  it('is routed to approvers only: audience=approvers and no owner attribute', () => {
    const attributes = routingAttributes(event);
    expect(attributes.audience).toBe('approvers');
    expect(attributes.owner).toBeUndefined();
  });
});

describe('an approval and a budget notice', () => {
  it('says until when an approved run may go on', () => {
    const approval = buildEvent(
      stamp,
      {
        ...decision(),
        rule: 'unapproved',
        reason: 'approved until 2025-06-03 12:00 UTC by tag gpu-reaper:approved-until="2025-06-03T12:00:00Z"',
        evidence: { ...decision().evidence, approvedUntil: '2025-06-03T12:00:00.000Z' },
      },
      'APPROVED',
    );
    const { subject, text } = renderNotification({ ...approval, by: 'approver' });
    expect(subject).toBe('[gpu-reaper] APPROVED i-0aaaaaaaaaaaaaaa1 (p4d.24xlarge): approved until 06-03 12:00 UTC');
    expect(text).toContain(
      'is approved by its gpu-reaper:approved-until tag until 2025-06-03 12:00 UTC: it is not stopped for its cost, and that instant is its deadline',
    );
    expect(text).not.toContain('How to keep it');
  });

  it('tells a team over budget that its runs need approval', () => {
    const over = decision({
      budget: { team: 'research', monthUsd: 20_140, budgetUsd: 20_000 },
      config: { budgets: { monthlyUsd: { research: 20_000 } } },
    });
    expect(over.rule).toBe('unapproved');
    const { text } = renderNotification(warned(over));
    expect(text).toContain('because its team is over its monthly GPU budget, so every run needs an approver');
    const notice = buildEvent(
      stamp,
      {
        ...over,
        outcome: 'notify',
        rule: 'budget',
        action: 'notify',
        actAt: null,
        evidence: {
          ...over.evidence,
          team: 'research',
          monthUsd: 16_040,
          budgetUsd: 20_000,
          share: 0.802,
          budgetLevel: 'warn',
        },
      },
      'NOTIFIED',
    );
    const rendered = renderNotification(notice);
    expect(rendered.subject).toBe(
      '[gpu-reaper] NOTIFIED i-0aaaaaaaaaaaaaaa1 (p4d.24xlarge): team research at 80% of its GPU budget',
    );
    expect(rendered.text).toContain(
      'Team research has spent $16,040.00 of its $20,000.00 monthly GPU budget (80%) this month.',
    );
    expect(rendered.text).not.toContain('How to keep it');
  });
});

describe('an event about an instance not read this pass (busy at its last reading)', () => {
  it('says the GPUs were busy at their last reading, never "no data" or "too sparse"', () => {
    const unread = decideInstance(
      {
        instance: instance({
          instanceType: 'p4d.24xlarge',
          launchTime: ago('50m'),
          tags: { Owner: 'ana@example.com' },
        }),
        telemetry: {
          ...telemetry([]),
          status: 'unread',
          source: 'none',
          nextReadAt: new Date(NOW.getTime() + 600_000),
        },
        warning: null,
        hourlyUsd: 21.9576,
      },
      parseConfig(GATING),
      NOW,
    );
    const { text } = renderNotification(warned(unread));
    expect(text).toContain(
      'GPU utilization: busy at its last reading; not read this pass (next read 2025-06-02 12:10 UTC)',
    );
    expect(text).toContain('Not idle: the GPUs were busy at their last reading (not read again this pass).');
    expect(text).not.toContain('no data');
    expect(text).not.toContain('too sparse');
  });
});

describe('the short idle summary of a table row', () => {
  it('says busy at last reading for an instance not read this pass', async () => {
    const { idleSummary } = await import('../../../../shared/render/text/idle-cost');
    expect(idleSummary({ idleMinutes: null, idleUsd: null, telemetry: 'unread' })).toBe('busy at last reading');
    expect(idleSummary({ idleMinutes: null, idleUsd: null, telemetry: 'ok' })).toBe('idle time unknown');
  });
});
