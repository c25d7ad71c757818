/**
 * A link belongs to the warning it came with: it matches the pending warning only for the same rule, the same
 * launch and the same promise (or, delivered late with a later time, the same issue), and never once that warning
 * is acted on, replaced by another rule's, or the instance restarted or gone.
 */
import { describe, expect, it } from 'vitest';
import type { StoredWarning } from '../../../shared/core/ports';
import { isPendingWarning, linkWarningOf } from '../../../shared/owner-actions/link-binding';
import { reaperEvent } from '../../helpers/events';

const LAUNCH = new Date('2026-11-21T12:00:00.000Z');
const warned = reaperEvent({
  event: 'WARNED',
  rule: 'never-used',
  at: '2026-11-21T12:40:30.000Z',
  actAt: '2026-11-21T13:10:30.000Z',
  evidence: { ...reaperEvent().evidence, launchTime: LAUNCH.toISOString() },
});
const link = linkWarningOf(warned)!;
const stored: StoredWarning = {
  rule: 'never-used',
  action: 'stop',
  actAt: new Date('2026-11-21T13:10:30.000Z'),
  warnedAt: new Date('2026-11-21T12:40:30.000Z'),
  deliveredAt: new Date('2026-11-21T12:40:30.000Z'),
  phase: 'warned',
  launchTime: LAUNCH.toISOString(),
  passId: 'p-1',
};

describe('the warning a link belongs to', () => {
  it('is the WARNED event’s rule, planned time, issue time and launch; other events bind nothing', () => {
    expect(link).toEqual({
      rule: 'never-used',
      actAt: new Date('2026-11-21T13:10:30.000Z'),
      warnedAt: new Date('2026-11-21T12:40:30.000Z'),
      launchTime: LAUNCH,
    });
    expect(linkWarningOf({ ...warned, event: 'CLEARED' })).toBeNull();
    expect(linkWarningOf({ ...warned, actAt: null })).toBeNull();
  });

  it('matches the same warning, still warned or being acted on', () => {
    expect(isPendingWarning(link, stored, LAUNCH)).toBe(true);
    expect(isPendingWarning(link, { ...stored, phase: 'acting' }, LAUNCH)).toBe(true);
  });

  it('never matches once the warning is gone, acted on, or the instance is gone', () => {
    expect(isPendingWarning(link, null, LAUNCH)).toBe(false);
    expect(isPendingWarning(link, { ...stored, phase: 'acted' }, LAUNCH)).toBe(false);
    expect(isPendingWarning(link, stored, null)).toBe(false);
  });

  it('never matches another rule’s warning on the same instance (a max-runtime one that replaced it)', () => {
    const maxRuntime = {
      ...stored,
      rule: 'max-runtime' as const,
      actAt: new Date('2026-11-21T15:00:30.000Z'),
      warnedAt: new Date('2026-11-21T14:05:30.000Z'),
    };
    expect(isPendingWarning(link, maxRuntime, LAUNCH)).toBe(false);
    // Not even at the very same planned time: the rule decides what a keep could do.
    expect(isPendingWarning(link, { ...maxRuntime, actAt: stored.actAt }, LAUNCH)).toBe(false);
  });

  it('never matches a later warning of the same rule (cleared, then warned again)', () => {
    const again = {
      ...stored,
      actAt: new Date('2026-11-21T14:30:30.000Z'),
      warnedAt: new Date('2026-11-21T14:00:30.000Z'),
    };
    expect(isPendingWarning(link, again, LAUNCH)).toBe(false);
  });

  it('never matches after a restart: the instance’s launch or the stored warning’s launch differs', () => {
    const restarted = new Date('2026-11-21T13:20:00.000Z');
    expect(isPendingWarning(link, stored, restarted)).toBe(false);
    expect(isPendingWarning(link, { ...stored, launchTime: restarted.toISOString() }, LAUNCH)).toBe(false);
  });

  it('matches a message delivered late, which names a later time than the one stored', () => {
    // The outbox delivered it at 12:55:30: the grace runs from then, so the message (and its links) say 13:25:30.
    const late = linkWarningOf({ ...warned, actAt: '2026-11-21T13:25:30.000Z' })!;
    const delivered = { ...stored, deliveredAt: new Date('2026-11-21T12:55:30.000Z') };
    expect(isPendingWarning(late, delivered, LAUNCH)).toBe(true);
    // A token carries whole seconds; the table keeps milliseconds.
    const precise = { ...delivered, warnedAt: new Date('2026-11-21T12:40:30.456Z') };
    expect(isPendingWarning(late, precise, LAUNCH)).toBe(true);
  });
});
