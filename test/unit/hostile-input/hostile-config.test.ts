/**
 * Config edge cases: each is either refused with a ConfigError naming the key path (the CLI's exit 2, the synth's
 * failure), or accepted with the meaning docs/configuration.md gives, shown here on a decision.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig, loadConfigFile, loadConfigText, parseConfig } from '../../../shared/config';
import { decideFleet, type InstanceInput } from '../../../shared/engine';
import { ConfigError } from '../../../shared/errors';
import { configRefusal } from '../../helpers/config-refusal';
import { input, NOW, points, telemetry } from '../engine/fixtures';

const refusal = configRefusal;

describe('documents that are not a config object', () => {
  it.each([
    ['null', null],
    ['an array', []],
    ['an array holding a config', [{ mode: 'enforce' }]],
    ['a string', 'dry-run'],
    ['a number', 0],
    ['true', true],
  ])('refuses %s at the root', (_, raw) => {
    expect(refusal(raw)).toEqual([
      expect.stringMatching(/^: must be an object \(got (null|an empty list|a list of 1|"dry-run"|0|true)\)$/),
    ]);
  });

  it('reads an empty object (and no document at all) as every default', () => {
    expect(parseConfig({})).toEqual(defaultConfig());
    expect(parseConfig(undefined)).toEqual(defaultConfig());
  });
});

describe('wrong types and bad values name their key path', () => {
  it.each([
    [{ mode: 'yolo' }, 'mode'],
    [{ mode: 1 }, 'mode'],
    [{ regions: 'us-east-1' }, 'regions'],
    [{ regions: ['us-east-1', 'moon-1'] }, 'regions[1]'],
    [{ idle: null }, 'idle'],
    [{ idle: [] }, 'idle'],
    [{ idle: { threshold: '5' } }, 'idle.threshold'],
    [{ idle: { threshold: -1 } }, 'idle.threshold'],
    [{ idle: { threshold: 100.5 } }, 'idle.threshold'],
    [{ idle: { window: '-5m' } }, 'idle.window'],
    [{ idle: { window: '0m' } }, 'idle.window'],
    [{ idle: { window: 60 } }, 'idle.window'],
    [{ idle: { minCoverage: 0 } }, 'idle.minCoverage'],
    [{ idle: { minCoverage: 1.01 } }, 'idle.minCoverage'],
    [{ maxRuntime: { default: '99999999999999999999d' } }, 'maxRuntime.default'],
    [{ maxRuntime: { default: '8d' } }, 'maxRuntime.default'],
    [{ neverUsed: { after: '' } }, 'neverUsed.after'],
    [{ warning: { grace: '-1m' } }, 'warning.grace'],
    [{ snooze: { ceiling: '0m' } }, 'snooze.ceiling'],
    [{ maxActionsPerPass: -1 }, 'maxActionsPerPass'],
    [{ maxActionsPerPass: 2.5 }, 'maxActionsPerPass'],
    [{ maxActionsPerPass: 1e300 }, 'maxActionsPerPass'],
    [{ maxActionsPerPass: '20' }, 'maxActionsPerPass'],
    [{ actions: { idle: 'nuke' } }, 'actions.idle'],
    [{ scope: { tags: { Purpose: [] } } }, 'scope.tags.Purpose'],
    [{ scope: { tags: { Purpose: 'ml' } } }, 'scope.tags.Purpose'],
    [{ tagPrefix: '' }, 'tagPrefix'],
    [{ ownerTag: 'x'.repeat(129) }, 'ownerTag'],
    [{ topicArn: 'arn:aws:sns:us-east-1:123:x; rm -rf /' }, 'topicArn'],
  ])('refuses %j at %s', (raw, path) => {
    expect(refusal(raw)).toEqual([expect.stringMatching(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: `))]);
  });

  it('refuses unknown keys at any depth, each with its path, all at once, in file order', () => {
    expect(refusal({ idel: {}, idle: { tresh: 5 }, actions: { idle: 'stop', onFire: 'x' } })).toEqual([
      'idel: unknown key (did you mean "idle"?)',
      'idle.tresh: unknown key (allowed: enabled, threshold, window, minCoverage)',
      expect.stringMatching(/^actions\.onFire: unknown key \(allowed: expired, maxRuntime, neverUsed, idle, /),
    ]);
  });

  it('refuses a __proto__ key rather than merging it', () => {
    expect(refusal(JSON.parse('{"__proto__": {"mode": "enforce"}}'))).toEqual([
      expect.stringMatching(/^__proto__: unknown key \(allowed: mode, regions, /),
    ]);
  });
});

describe('text and files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-reaper-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a file holding {} as the defaults', () => {
    expect(loadConfigFile(file('empty-object.json', '{}'))).toEqual(defaultConfig());
  });

  it.each([
    ['an empty file', '', 'not valid JSON'],
    ['a file holding null', 'null', 'must be an object'],
    ['a truncated file', '{"mode": "enf', 'not valid JSON'],
    ['JSON with a comment', '{ // dry run first\n "mode": "dry-run" }', 'not valid JSON'],
  ])('refuses %s, naming the file', (name, text, message) => {
    const path = file(`${name.replace(/\W+/g, '-')}.json`, text);
    expect(() => loadConfigFile(path)).toThrow(ConfigError);
    expect(() => loadConfigFile(path)).toThrow(new RegExp(`in ${path}: \\(root\\): .*${message}`));
  });

  it('refuses a missing file with the reason', () => {
    expect(() => loadConfigFile(join(dir, 'nope.json'))).toThrow(/cannot read file \(ENOENT\)/);
  });

  it('reads empty environment text as the defaults, and the text null as an error', () => {
    expect(loadConfigText('  ', 'GPU_REAPER_CONFIG')).toEqual(defaultConfig());
    expect(() => loadConfigText('null', 'GPU_REAPER_CONFIG')).toThrow(/GPU_REAPER_CONFIG: \(root\)/);
  });
});

describe('accepted edge values mean what docs/configuration.md says', () => {
  const idleFleet = (count: number): InstanceInput[] =>
    Array.from({ length: count }, (_, n) =>
      input({ instanceId: `i-${String(n).padStart(17, '0')}` }, telemetry(points(1))),
    );
  const decideWith = (overrides: object, inputs = idleFleet(1)) =>
    decideFleet(inputs, parseConfig(overrides), NOW).decisions;

  it('warning.grace "0m" turns warnings off: an idle instance is acted on at once', () => {
    expect(decideWith({ warning: { grace: '0m' } })[0]).toMatchObject({ outcome: 'act', rule: 'idle' });
  });

  it('idle.threshold 0 never finds anything idle: 0% is not below 0%', () => {
    const zero = input({}, telemetry(points(0)));
    expect(decideWith({ idle: { threshold: 0 }, neverUsed: { enabled: false } }, [zero])[0]?.outcome).toBe('keep');
  });

  it('idle.threshold 100 finds 99.9% idle and 100% busy', () => {
    const config = { idle: { threshold: 100 }, neverUsed: { enabled: false } };
    expect(decideWith(config, [input({}, telemetry(points(99.9)))])[0]?.rule).toBe('idle');
    expect(decideWith(config, [input({}, telemetry(points(100)))])[0]?.outcome).toBe('keep');
  });

  it('idle.minCoverage 1 needs every minute: one missing minute is too sparse to judge, not idle', () => {
    const gappy = input({}, telemetry(points(1).filter((_, minute) => minute !== 45)));
    expect(decideWith({ idle: { minCoverage: 1 } }, [gappy])[0]).toMatchObject({
      outcome: 'notify',
      rule: 'no-telemetry',
    });
    expect(decideWith({ idle: { minCoverage: 1 } })[0]?.rule).toBe('idle');
  });

  it('a huge maxActionsPerPass holds nothing back; 0 holds back every action but no warning', () => {
    const acting = { warning: { grace: '0m' } };
    expect(
      decideWith({ ...acting, maxActionsPerPass: Number.MAX_SAFE_INTEGER }, idleFleet(30)).map((d) => d.outcome),
    ).toEqual(Array(30).fill('act'));
    expect(decideWith({ ...acting, maxActionsPerPass: 0 }, idleFleet(3)).map((d) => d.rule)).toEqual(
      Array(3).fill('capped'),
    );
    expect(decideWith({ maxActionsPerPass: 0 }, idleFleet(3)).map((d) => d.outcome)).toEqual(Array(3).fill('warn'));
  });
});
