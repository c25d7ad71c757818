/**
 * One target's pass never throws: a role that cannot be assumed, or overrides that do not hold together, is an
 * `error` result for that target alone.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config';
import { combineTargets, runTargetPass } from '../../../../shared/pass/targets';

const target = { accountId: '111111111111', region: 'us-east-1', ouPath: [] } as const;
const now = new Date('2026-11-21T13:00:00Z');
const refused = () => Promise.reject(Object.assign(new Error('not authorized to assume'), { name: 'AccessDenied' }));

describe('runTargetPass', () => {
  it('is an error naming the role when the role cannot be assumed, never a throw', async () => {
    const config = parseConfig({ accounts: { ids: [target.accountId] } });
    const edges = { config, now, homeRegion: 'us-east-1', table: null, topicArn: null, credentialsFor: () => refused };
    const outcome = await runTargetPass(target, edges, 'plan');
    expect(outcome.status).toBe('error');
    expect(outcome.error).toContain('role GpuReaperSpoke in account 111111111111 could not be assumed');
    expect(outcome.result?.decisions).toEqual([]);
    expect(outcome.result?.regionFailures).toEqual([expect.objectContaining({ code: 'AWS_CREDENTIALS' })]);
  });

  it('is an error when the overrides that apply do not validate together', async () => {
    const OU = 'ou-ab12-34cd56ef';
    // Each holds over the base alone (12h ≤ 2d; 5d ≤ 7d); together the default exceeds the ceiling.
    const overrides = {
      [OU]: { maxRuntime: { default: '5d' } },
      [target.accountId]: { maxRuntime: { ceiling: '2d' } },
    };
    const config = parseConfig({ accounts: { overrides } });
    const edges = { config, now, homeRegion: 'us-east-1', table: null, topicArn: null, credentialsFor: () => refused };
    const outcome = await runTargetPass({ ...target, ouPath: [OU] }, edges, 'plan');
    expect(outcome.status).toBe('error');
    expect(outcome.result).toBeUndefined();
    expect(outcome.error).toContain('maxRuntime.default: must not exceed maxRuntime.ceiling');
  });
});

describe('combineTargets', () => {
  it('sums the targets into one pass and counts each failed target once', () => {
    const failed = { target, status: 'error' as const, error: 'boom' };
    const combined = combineTargets([failed], now, 'dry-run');
    expect(combined.targets).toEqual([
      { accountId: target.accountId, region: 'us-east-1', status: 'error', error: 'boom', passId: null, mode: null },
    ]);
    expect(combined.regionFailures).toEqual([
      { region: 'us-east-1', code: 'TARGET', message: 'account 111111111111: boom' },
    ]);
    expect(combined.errors).toBe(1);
    expect(combined.regions).toEqual(['us-east-1']);
  });
});
