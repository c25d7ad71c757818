import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../shared/engine';
import { byUrgency, deferred, isSpent } from '../../../shared/pass/time-budget';

const decision = (instanceId: string, kind: Decision['warningChange']['kind'], actAt: string | null = null) =>
  ({
    instanceId,
    actAt,
    outcome: 'keep',
    reason: 'r',
    executed: false,
    warningChange: { kind },
  }) as unknown as Decision;

describe('the time budget', () => {
  it('carries out due actions first (oldest first), then clears, warnings, and the rest', () => {
    const ordered = byUrgency([
      decision('i-keep', 'none'),
      decision('i-warn', 'warn', '2026-01-01T02:00:00Z'),
      decision('i-act-late', 'act', '2026-01-01T01:30:00Z'),
      decision('i-clear', 'clear'),
      decision('i-act-early', 'act', '2026-01-01T01:00:00Z'),
    ]);
    expect(ordered.map((d) => d.instanceId)).toEqual(['i-act-early', 'i-act-late', 'i-clear', 'i-warn', 'i-keep']);
  });

  it('is spent only below its reserve, and never without a budget', () => {
    expect(isSpent(undefined)).toBe(false);
    expect(isSpent({ remainingMs: () => 29_999 })).toBe(true);
    expect(isSpent({ remainingMs: () => 30_000 })).toBe(false);
    expect(isSpent({ remainingMs: () => 5_000, reserveMs: 4_000 })).toBe(false);
  });

  it('says a deferred decision was not carried out', () => {
    const d = deferred({ ...decision('i-1', 'act'), executed: true });
    expect(d.executed).toBe(false);
    expect(d.reason).toMatch(/deferred/);
  });
});
