/**
 * `accounts.overrides`: deep-merged over the base (objects merge, lists and values replace, `metrics` whole), each
 * validated merged over the base at load, every problem with its full key path.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import { mergeOverride } from '../../../shared/config/overrides';
import { targetConfig } from '../../../shared/pass/targets';
import { configProblems } from '../../helpers/config-refusal';

const A = '111111111111';
const OU = 'ou-ab12-34cd56ef';
const CHILD = 'ou-ab12-99999999';

const problems = configProblems;

describe('mergeOverride', () => {
  it.each([
    [
      'merges objects key by key',
      { idle: { threshold: 5, window: '1h' } },
      { idle: { threshold: 3 } },
      { idle: { threshold: 3, window: '1h' } },
    ],
    ['replaces lists', { regions: ['us-east-1'] }, { regions: ['eu-west-1'] }, { regions: ['eu-west-1'] }],
    ['replaces values', { mode: 'dry-run' }, { mode: 'enforce' }, { mode: 'enforce' }],
    [
      'replaces metrics whole, the older form too',
      { metrics: { sources: [{ namespace: 'CWAgent', metric: 'x' }] } },
      { metrics: { namespace: 'Mine', metric: 'gpu' } },
      { metrics: { namespace: 'Mine', metric: 'gpu' } },
    ],
  ])('%s', (_name, base, override, merged) => {
    expect(mergeOverride(base, override)).toEqual(merged);
  });

  it('never changes its inputs', () => {
    const base = { idle: { threshold: 5 } };
    mergeOverride(base, { idle: { threshold: 3 } });
    expect(base).toEqual({ idle: { threshold: 5 } });
  });
});

describe('accounts in the config', () => {
  it('is null by default: one account, as before', () => {
    expect(parseConfig({}).accounts).toBeNull();
  });

  it('fills every default of an empty accounts object', () => {
    expect(parseConfig({ accounts: {} }).accounts).toEqual({
      roleName: 'GpuReaperSpoke',
      externalId: null,
      organization: null,
      ids: [],
      exclude: [],
      overrides: {},
      quietTargetEvery: '1h',
    });
  });

  it.each([
    [{ ids: ['1234'] }, 'accounts.ids[0]: must be a 12-digit account id (got "1234")'],
    [
      { organization: { ous: ['sales'] } },
      'accounts.organization.ous[0]: must be an OU id (ou-…) or a root id (r-…) (got "sales")',
    ],
    [
      { overrides: { sales: {} } },
      'accounts.overrides.sales: must be an OU id (ou-…), a root id (r-…) or a 12-digit account id (got the key "sales")',
    ],
    [{ overrides: { [A]: 5 } }, `accounts.overrides.${A}: must be an object (got 5)`],
    [{ roleName: 'a role' }, 'accounts.roleName: must be an IAM role name such as GpuReaperSpoke (got "a role")'],
    [
      { quietTargetEvery: 'hourly' },
      'accounts.quietTargetEvery: must be a duration such as 30m, 12h or 3d (got "hourly")',
    ],
    [{ quietTargetEvery: '0m' }, 'accounts.quietTargetEvery: must be a duration such as 30m, 12h or 3d (got "0m")'],
  ])('refuses %j', (accounts, message) => {
    expect(problems({ accounts })).toContain(message);
  });

  it('names the full key path of every problem of every override at once', () => {
    const overrides = {
      [A]: { idle: { threshold: 500 }, idel: {} },
      [OU]: { mode: 'yolo' },
    };
    expect(problems({ accounts: { overrides } })).toEqual([
      `accounts.overrides.${A}.idle.threshold: must be at most 100 (got 500)`,
      `accounts.overrides.${A}.idel: unknown key (did you mean "idle"?)`,
      `accounts.overrides.${OU}.mode: must be one of "dry-run", "enforce" (got "yolo")`,
    ]);
  });

  it.each(['accounts', 'auditTable', 'topicArn', 'schedule'])('refuses %s in an override', (key) => {
    expect(problems({ accounts: { overrides: { [A]: { [key]: null } } } })).toEqual([
      `accounts.overrides.${A}.${key}: cannot be set per account or OU (set it once, at the top level)`,
    ]);
  });

  it('checks an override with the base around it (a longer default under a longer base ceiling)', () => {
    const config = {
      maxRuntime: { ceiling: '30d' },
      accounts: { overrides: { [A]: { maxRuntime: { default: '20d' } } } },
    };
    expect(problems(config)).toEqual([]);
    const tooLong = { accounts: { overrides: { [A]: { maxRuntime: { default: '20d' } } } } };
    expect(problems(tooLong)).toEqual([
      `accounts.overrides.${A}.maxRuntime.default: must not exceed maxRuntime.ceiling (got "20d")`,
    ]);
  });

  it('reports a base problem once, not again under every override', () => {
    const config = { idle: { threshold: 200 }, accounts: { overrides: { [A]: { mode: 'enforce' } } } };
    expect(problems(config)).toEqual(['idle.threshold: must be at most 100 (got 200)']);
  });
});

describe('targetConfig', () => {
  const config = parseConfig({
    idle: { threshold: 5, window: '2h' },
    accounts: {
      overrides: {
        [OU]: { mode: 'enforce', idle: { threshold: 10 } },
        [CHILD]: { idle: { threshold: 8 } },
        [A]: { idle: { threshold: 3 } },
      },
    },
  });

  it('applies OU overrides outer to inner, then the account', () => {
    const merged = targetConfig(config, { accountId: A, ouPath: [OU, CHILD] });
    expect(merged).toMatchObject({ mode: 'enforce', idle: { threshold: 3, window: '2h' } });
    expect(targetConfig(config, { accountId: '222222222222', ouPath: [OU, CHILD] }).idle.threshold).toBe(8);
    expect(targetConfig(config, { accountId: '222222222222', ouPath: [OU] }).idle.threshold).toBe(10);
  });

  it('keeps the base for an account no override names, and keeps accounts in the result', () => {
    expect(targetConfig(config, { accountId: '222222222222', ouPath: [] })).toBe(config);
    expect(targetConfig(config, { accountId: A, ouPath: [] }).accounts).toBe(config.accounts);
  });
});
