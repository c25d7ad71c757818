/**
 * Config problems read like every other message of the project: what is wrong or allowed, then the value received,
 * never zod's own wording; a misspelled key gets a "did you mean"; the problems come in the order of the file.
 */
import { describe, expect, it } from 'vitest';
import { closestKey, editDistance } from '../../../shared/config/config-messages';
import { configRefusal } from '../../helpers/config-refusal';

const problems = configRefusal;

describe('config messages', () => {
  it.each([
    [{ mode: 'yolo' }, 'mode: must be one of "dry-run", "enforce" (got "yolo")'],
    [{ idle: { threshold: 100.5 } }, 'idle.threshold: must be at most 100 (got 100.5)'],
    [{ idle: { threshold: -1 } }, 'idle.threshold: must be at least 0 (got -1)'],
    [{ idle: { minCoverage: 0 } }, 'idle.minCoverage: must be above 0 (got 0)'],
    [{ idle: { threshold: '5' } }, 'idle.threshold: must be a number (got "5")'],
    [{ idle: null }, 'idle: must be an object (got null)'],
    [{ regions: 'us-east-1' }, 'regions: must be a list (got "us-east-1")'],
    [{ regions: ['moon-1'] }, 'regions[0]: must be an AWS region name such as us-east-1 (got "moon-1")'],
    [{ maxActionsPerPass: 2.5 }, 'maxActionsPerPass: must be a whole number (got 2.5)'],
    [{ tagPrefix: '' }, 'tagPrefix: must not be empty (got "")'],
    [{ auditTable: 'ab' }, 'auditTable: must be at least 3 characters long (got "ab")'],
    [{ scope: { tags: { Purpose: [] } } }, 'scope.tags.Purpose: must list at least one value (got an empty list)'],
    [{ notifications: { emails: ['nope'] } }, 'notifications.emails[0]: must be an email address (got "nope")'],
    [{ idle: { window: 'soon' } }, 'idle.window: must be a duration such as 30m, 12h or 3d (got "soon")'],
  ])('says what is allowed and what it got for %j', (raw, line) => {
    expect(problems(raw)).toEqual([line]);
  });

  it('never uses zod’s own wording', () => {
    const lines = problems({ mode: 1, idle: { threshold: 500, window: 5 }, ownerTag: 'x'.repeat(200), tagPrefix: 3 });
    for (const line of lines) expect(line).not.toMatch(/Too (big|small)|Invalid (input|option)|expected .* received/);
  });

  it('quotes a long value short, and shows invisible characters escaped', () => {
    expect(problems({ ownerTag: 'x'.repeat(129) })[0]).toBe(
      `ownerTag: must be at most 128 characters long (got "${'x'.repeat(40)}"… (129 characters))`,
    );
    expect(problems({ mode: 'a\u202eb' })[0]).toContain('(got "a\\u202eb")');
  });

  it('lists the problems in the order their keys appear in the file', () => {
    const raw = JSON.parse('{"warning": {"grace": "soon"}, "mode": "x", "idel": {}, "actions": {"idle": "nuke"}}');
    expect(problems(raw).map((line) => line.slice(0, line.indexOf(':')))).toEqual([
      'warning.grace',
      'mode',
      'idel',
      'actions.idle',
    ]);
  });

  it.each([
    ['idel', 'idle'],
    ['Mode', 'mode'],
    ['regoins', 'regions'],
    ['maxActionPerPass', 'maxActionsPerPass'],
  ])('asks "did you mean" for the misspelled key %s', (key, meant) => {
    expect(problems({ [key]: 1 })).toEqual([`${key}: unknown key (did you mean "${meant}"?)`]);
  });

  it('names the allowed keys when no known key is close', () => {
    expect(problems({ idle: { onFire: 1 } })).toEqual([
      'idle.onFire: unknown key (allowed: enabled, threshold, window, minCoverage)',
    ]);
  });
});

describe('closest key', () => {
  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('idel', 'idle')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests nothing far from every allowed key', () => {
    expect(closestKey('tresh', ['enabled', 'threshold'])).toBeUndefined();
    expect(closestKey('windwo', ['enabled', 'window'])).toBe('window');
  });
});
