import { describe, expect, it } from 'vitest';
import { formatWarnedTag, parseInstant, readTags } from '../../../shared/engine';
import { ago, config, later, NOW, reaperTags } from './fixtures';

const read = (values: Record<string, string>, cfg = config()) => readTags(reaperTags(values, cfg.tagPrefix), cfg, NOW);

describe('readTags: opt-out', () => {
  it.each([
    ['true', true],
    ['yes', true],
    ['', true],
    ['  ', true],
    ['false', false],
    ['FALSE', false],
    [' False ', false],
    ['no', true],
    ['x'.repeat(10_000), true],
  ])('reads opt-out=%j as %s', (value, expected) => {
    const tags = read({ 'opt-out': value });
    expect(tags.optOut).toBe(expected);
    expect(tags.problems).toEqual([]);
  });

  it('is not opted out without the tag', () => {
    expect(read({}).optOut).toBe(false);
  });

  it('reads the tag under a custom prefix only', () => {
    const cfg = config({ tagPrefix: 'reaper/' });
    expect(readTags({ 'reaper/opt-out': '' }, cfg, NOW).optOut).toBe(true);
    expect(readTags({ 'gpu-reaper:opt-out': '' }, cfg, NOW).optOut).toBe(false);
  });
});

describe('readTags: max-runtime', () => {
  it.each([
    ['90m', 5_400_000, false],
    ['36h', 129_600_000, false],
    ['1d12h', 129_600_000, false],
    [' 3D ', 259_200_000, false],
    ['7d', 604_800_000, false],
    ['8d', 604_800_000, true],
    ['52w', 604_800_000, true],
  ])('reads max-runtime=%j as %d ms (capped: %s)', (value, expected, capped) => {
    const tags = read({ 'max-runtime': value });
    expect(tags.maxRuntimeMs).toBe(expected);
    expect(tags.maxRuntimeCapped).toBe(capped);
    expect(tags.problems).toEqual([]);
  });

  it.each([
    ['abc', 'not a duration'],
    ['12', 'not a duration'],
    ['-1h', 'not a duration'],
    ['1.5h', 'not a duration'],
    ['', 'not a duration'],
    ['0m', 'must be longer than 0'],
    ['99999999999999999999d', 'not a duration'],
  ])('ignores max-runtime=%j and reports it', (value, message) => {
    const tags = read({ 'max-runtime': value });
    expect(tags.maxRuntimeMs).toBeNull();
    expect(tags.problems).toEqual([
      { tag: 'gpu-reaper:max-runtime', value, message: expect.stringContaining(message) },
    ]);
  });
});

describe('readTags: instants', () => {
  it.each([
    ['2025-06-01T18:00:00Z', '2025-06-01T18:00:00.000Z'],
    ['2025-06-01T18:00Z', '2025-06-01T18:00:00.000Z'],
    ['2025-06-01T18:00:00.5Z', '2025-06-01T18:00:00.500Z'],
    ['2025-06-01T20:00:00+02:00', '2025-06-01T18:00:00.000Z'],
    ['2025-06-01T20:00:00+0200', '2025-06-01T18:00:00.000Z'],
    ['2025-06-01t18:00:00z', '2025-06-01T18:00:00.000Z'],
    [' 2024-02-29T00:00:00Z ', '2024-02-29T00:00:00.000Z'],
  ])('reads expires-at=%j', (value, iso) => {
    const tags = read({ 'expires-at': value });
    expect(tags.expiresAt?.toISOString()).toBe(iso);
    expect(tags.problems).toEqual([]);
  });

  it.each([
    '2025-06-01',
    '2025-06-01T18:00:00',
    '2025-06-01 18:00:00Z',
    '2025-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-06-01T25:00:00Z',
    'tomorrow',
    '1717264800',
    '',
  ])('ignores expires-at=%j and reports it', (value) => {
    const tags = read({ 'expires-at': value });
    expect(tags.expiresAt).toBeNull();
    expect(tags.problems).toEqual([
      { tag: 'gpu-reaper:expires-at', value, message: expect.stringContaining('not an ISO-8601 instant') },
    ]);
  });

  it('caps snooze-until at now + snooze.ceiling and says so', () => {
    const far = read({ 'snooze-until': '2026-01-01T00:00:00Z' });
    expect(far.snoozeUntil).toEqual(later('24h'));
    expect(far.snoozeCapped).toBe(true);
    const near = read({ 'snooze-until': later('2h').toISOString() });
    expect(near.snoozeUntil).toEqual(later('2h'));
    expect(near.snoozeCapped).toBe(false);
    const exact = read({ 'snooze-until': later('24h').toISOString() });
    expect(exact.snoozeCapped).toBe(false);
  });

  it('ignores a bad snooze-until', () => {
    const tags = read({ 'snooze-until': 'next week' });
    expect(tags.snoozeUntil).toBeNull();
    expect(tags.snoozeCapped).toBe(false);
    expect(tags.problems.map((problem) => problem.tag)).toEqual(['gpu-reaper:snooze-until']);
  });

  it('parseInstant refuses what is not a full instant', () => {
    expect(parseInstant('2025-06-01T18:00:00Z')?.getTime()).toBe(Date.parse('2025-06-01T18:00:00Z'));
    expect(parseInstant('2025-06-01T18:00:00')).toBeUndefined();
  });
});

describe('readTags: action, owner and warned', () => {
  it.each([
    ['stop', 'stop'],
    ['TERMINATE', 'terminate'],
    [' Notify ', 'notify'],
  ])('reads action=%j', (value, expected) => {
    expect(read({ action: value }).action).toBe(expected);
  });

  it('ignores an unknown action and reports it', () => {
    const tags = read({ action: 'hibernate' });
    expect(tags.action).toBeNull();
    expect(tags.problems).toEqual([
      { tag: 'gpu-reaper:action', value: 'hibernate', message: 'must be one of stop, terminate, notify' },
    ]);
  });

  it('reads the owner from ownerTag', () => {
    expect(readTags({ Owner: ' bob@example.com ' }, config(), NOW).owner).toBe('bob@example.com');
    expect(readTags({ Team: 'ml' }, config({ ownerTag: 'Team' }), NOW).owner).toBe('ml');
    expect(readTags({ Owner: '  ' }, config(), NOW).owner).toBeNull();
    expect(readTags({}, config(), NOW).owner).toBeNull();
  });

  it('reads the warned tag it writes', () => {
    const actAt = later('30m');
    const value = formatWarnedTag('max-runtime', actAt);
    expect(value).toBe('max-runtime@2025-06-02T12:30:00.000Z');
    expect(read({ warned: value }).warned).toEqual({ rule: 'max-runtime', actAt });
  });

  it('reads a warned tag with spaces around its parts', () => {
    expect(read({ warned: ' idle @ 2025-06-02T12:30:00Z ' }).warned).toEqual({ rule: 'idle', actAt: later('30m') });
  });

  it.each([
    'idle',
    'idle@',
    '@2025-06-02T12:30:00Z',
    'opt-out@2025-06-02T12:30:00Z',
    'capped@2025-06-02T12:30:00Z',
    'idle@soon',
  ])('ignores warned=%j and reports it', (value) => {
    const tags = read({ warned: value });
    expect(tags.warned).toBeNull();
    expect(tags.problems).toEqual([
      {
        tag: 'gpu-reaper:warned',
        value,
        message: 'must read <rule>@<ISO instant>, rule one of unapproved, expired, max-runtime, never-used, idle',
      },
    ]);
  });
});

describe('readTags: hostile values', () => {
  it('never throws and clips what it quotes', () => {
    const huge = `${'9'.repeat(5_000)}h`;
    const tags = read({
      'max-runtime': huge,
      'expires-at': `2025-06-01T${'0'.repeat(100_000)}Z`,
      action: '\u0000'.repeat(300),
      warned: 'idle@'.repeat(1_000),
      'snooze-until': '"; DROP TABLE',
    });
    expect(tags.problems).toHaveLength(5);
    for (const problem of tags.problems) expect(problem.value.length).toBeLessThanOrEqual(65);
    expect(tags.problems[0]?.message).toBe('too long (5001 characters)');
    expect(tags.maxRuntimeMs).toBeNull();
    expect(tags.optOut).toBe(false);
  });

  it('parses a value of 64 characters, and refuses one of 65 unread', () => {
    expect(read({ 'max-runtime': '90m'.padStart(64) }).maxRuntimeMs).toBe(5_400_000);
    const tags = read({ 'max-runtime': '90m'.padStart(65) });
    expect(tags.maxRuntimeMs).toBeNull();
    expect(tags.problems.map((problem) => problem.message)).toEqual(['too long (65 characters)']);
  });

  it('keeps a bad value from ever removing an opt-out', () => {
    const tags = read({ 'opt-out': 'x'.repeat(1_000), 'max-runtime': 'forever' });
    expect(tags.optOut).toBe(true);
    expect(tags.problems).toHaveLength(1);
  });

  it('reports every bad tag at once, in a stable order', () => {
    const tags = read({ warned: 'x', action: 'x', 'expires-at': 'x', 'snooze-until': 'x', 'max-runtime': 'x' });
    expect(tags.problems.map((problem) => problem.tag)).toEqual([
      'gpu-reaper:max-runtime',
      'gpu-reaper:snooze-until',
      'gpu-reaper:expires-at',
      'gpu-reaper:action',
      'gpu-reaper:warned',
    ]);
  });
});

describe('readTags: keys in another case or with spaces', () => {
  it.each([['Gpu-Reaper:Opt-Out'], ['GPU-REAPER:OPT-OUT'], [' gpu-reaper:opt-out'], ['gpu-reaper:opt-out ']])(
    'reads %j as the opt-out tag',
    (key) => {
      expect(readTags({ [key]: 'true' }, config(), NOW).optOut).toBe(true);
    },
  );

  it('reads a max-runtime key in another case, so a long run keeps its own limit', () => {
    const tags = readTags({ 'Gpu-Reaper:Max-Runtime': '36h' }, config(), NOW);
    expect(tags.maxRuntimeMs).toBe(129_600_000);
    expect(tags.problems).toEqual([]);
  });

  it('lets the more protective reading win when keys collide, and says so', () => {
    const tags = readTags(
      {
        'gpu-reaper:opt-out': 'false',
        'Gpu-Reaper:Opt-Out': 'true',
        'gpu-reaper:max-runtime': '2h',
        'GPU-REAPER:MAX-RUNTIME': '36h',
        'gpu-reaper:expires-at': '2025-06-03T00:00:00Z',
        'Gpu-Reaper:Expires-At': '2025-06-04T00:00:00Z',
        'gpu-reaper:snooze-until': later('1h').toISOString(),
        'Gpu-Reaper:Snooze-Until': later('3h').toISOString(),
        'gpu-reaper:action': 'terminate',
        'Gpu-Reaper:Action': 'notify',
      },
      config(),
      NOW,
    );
    expect(tags).toMatchObject({
      optOut: true,
      maxRuntimeMs: 129_600_000,
      expiresAt: new Date('2025-06-04T00:00:00Z'),
      snoozeUntil: later('3h'),
      action: 'notify',
    });
    expect(tags.notes).toHaveLength(5);
    expect(tags.notes.join(' ')).toContain('Gpu-Reaper:Opt-Out');
    expect(tags.notes[0]).toMatch(/collide: opted out, the reading that protects the instance more/);
  });

  it('reads an Owner key in another case when the exact one is absent', () => {
    expect(readTags({ owner: 'ana@example.com' }, config(), NOW).owner).toBe('ana@example.com');
    expect(readTags({ Owner: 'bo@example.com', owner: 'ana@example.com' }, config(), NOW).owner).toBe('bo@example.com');
  });
});

describe('readTags: owner choices', () => {
  it('refuses an action outside actions.ownerChoices, as a tag problem', () => {
    const cfg = config({ actions: { ownerChoices: ['stop'] } });
    const tags = readTags(reaperTags({ action: 'notify' }, cfg.tagPrefix), cfg, NOW);
    expect(tags.action).toBeNull();
    expect(tags.problems).toEqual([
      { tag: 'gpu-reaper:action', value: 'notify', message: 'notify is not allowed here (actions.ownerChoices: stop)' },
    ]);
  });

  it('accepts an action among the owner choices', () => {
    expect(read({ action: 'terminate' }).action).toBe('terminate');
  });
});

describe('readTags: snooze ceiling from first sight', () => {
  const far = '2030-01-01T00:00:00Z';
  it('caps a far-future snooze at the first sighting + snooze.ceiling, not at now', () => {
    const seen = { value: far, firstSeenAt: ago('20h') };
    const tags = readTags(reaperTags({ 'snooze-until': far }), config(), NOW, seen);
    expect(tags.snoozeUntil).toEqual(later('4h'));
    expect(tags.snoozeCapped).toBe(true);
    expect(tags.snooze).toEqual(seen);
    const expired = readTags(reaperTags({ 'snooze-until': far }), config(), NOW, {
      value: far,
      firstSeenAt: ago('25h'),
    });
    expect(expired.snoozeUntil).toEqual(ago('1h'));
  });

  it('starts a new ceiling for a new value', () => {
    const tags = readTags(reaperTags({ 'snooze-until': far }), config(), NOW, {
      value: '2029-01-01T00:00:00Z',
      firstSeenAt: ago('30h'),
    });
    expect(tags.snoozeUntil).toEqual(later('24h'));
    expect(tags.snooze).toEqual({ value: far, firstSeenAt: NOW });
  });
});
