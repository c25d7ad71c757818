/**
 * `plan` and `run` over many accounts, as a user runs them (the real bin) against moto's organization: explicit ids,
 * OU discovery with child OUs, overrides, `--account`, exclude, a bad override, enforce in one account by override
 * with the audit in the hub's table, and one target's failure never stopping the others.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import { FaultInjector, inputMentions } from '../../../shared/local/fault-injector';
import { resolveTargets, runTargetPasses } from '../../../shared/pass/targets';
import { runCli } from '../../helpers/cli';
import { useMoto } from '../../helpers/moto';
import { accountsFixture } from './accounts-fixture';

const moto = useMoto({ threaded: false });

type Document = {
  targets: { accountId: string; region: string; status: string; error: string | null }[];
  decisions: { accountId: string; instanceId: string; outcome: string; rule: string | null; executed: boolean }[];
  summary: Record<string, number>;
  regions: string[];
};

describe('many accounts from the command line', () => {
  let fx: Awaited<ReturnType<typeof accountsFixture>>;
  beforeAll(async () => {
    fx = await accountsFixture(moto.region);
  }, 60_000);

  const plan = async (config: unknown, ...extra: string[]) => {
    const result = await runCli(['plan', '--json', '--config', fx.configFile(config), '--now', fx.at(70), ...extra]);
    return { ...result, document: result.code === 2 ? undefined : (JSON.parse(result.stdout) as Document) };
  };

  it('passes every explicit account, each decision carrying its account', async () => {
    const { a, b } = fx.accounts;
    const { code, document } = await plan({ regions: [moto.region], accounts: { ids: [a, b] } });
    expect(code).toBe(0);
    // Targets come in account order.
    expect(document!.targets).toEqual(
      [a, b].sort().map((accountId) => ({
        accountId,
        region: moto.region,
        status: 'ok',
        error: null,
        passId: expect.any(String),
      })),
    );
    expect(document!.decisions.map((d) => [d.accountId, d.instanceId, d.outcome, d.rule])).toEqual(
      expect.arrayContaining([
        [a, fx.instances[a], 'warn', 'never-used'],
        [b, fx.instances[b], 'warn', 'never-used'],
      ]),
    );
    expect(document!.summary).toMatchObject({ scanned: 2, warned: 2, errors: 0 });
    expect(document!.regions).toEqual([moto.region]);
  });

  it('discovers the accounts of an OU and of its child OUs, and applies the child OU override', async () => {
    const { a, a1 } = fx.accounts;
    const config = {
      regions: [moto.region],
      accounts: {
        organization: { ous: [fx.ous.a] },
        overrides: { [fx.ous.a1]: { idle: { enabled: false }, neverUsed: { enabled: false } } },
      },
    };
    const { code, document } = await plan(config);
    expect(code).toBe(0);
    expect(document!.targets.map((t) => t.accountId)).toEqual([a, a1].sort());
    const outcomeIn = (id: string) => document!.decisions.find((d) => d.accountId === id)?.outcome;
    expect(outcomeIn(a)).toBe('warn');
    expect(outcomeIn(a1)).toBe('keep');
  });

  it('limits the targets with --account, and refuses an account that is no target (exit 2)', async () => {
    const { a, b } = fx.accounts;
    const config = { regions: [moto.region], accounts: { ids: [a, b] } };
    const { code, document } = await plan(config, '--account', b);
    expect(code).toBe(0);
    expect(document!.targets.map((t) => t.accountId)).toEqual([b]);
    expect(document!.decisions.map((d) => d.accountId)).toEqual([b]);

    const unknown = await plan(config, '--account', '999999999999');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('999999999999');
  });

  it('covers the whole organization with ous [], minus the excluded accounts', async () => {
    const { a, a1, b } = fx.accounts;
    const config = {
      regions: [moto.region],
      accounts: { organization: { ous: [] }, exclude: [b, '123456789012'] },
    };
    const { code, document } = await plan(config);
    expect(code).toBe(0);
    expect(document!.targets.map((t) => t.accountId)).toEqual([a, a1].sort());
  });

  it('refuses a bad override at load with its key path (exit 2)', async () => {
    const { a } = fx.accounts;
    const config = { accounts: { ids: [a], overrides: { [a]: { idle: { threshold: 500 }, topicArn: null } } } };
    const result = await runCli(['plan', '--config', fx.configFile(config), '--region', moto.region]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`accounts.overrides.${a}.idle.threshold: must be at most 100 (got 500)`);
    expect(result.stderr).toContain(`accounts.overrides.${a}.topicArn`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('shows the account in the human table', async () => {
    const { a } = fx.accounts;
    const config = { regions: [moto.region], accounts: { ids: [a] } };
    const result = await runCli(['plan', '--config', fx.configFile(config), '--now', fx.at(70)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(a);
    expect(result.stdout).toContain('targets 1 · ok 1 · failed 0');
  });

  it('enforces in the one account an override puts in enforce, auditing both in the hub table', async () => {
    const { a, b } = fx.accounts;
    const config = {
      regions: [moto.region],
      warning: { grace: '0m' },
      auditTable: fx.hub.table,
      accounts: { ids: [a, b], overrides: { [a]: { mode: 'enforce' } } },
    };
    const result = await runCli(['run', '--json', '--config', fx.configFile(config), '--now', fx.at(70)]);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as Document & { events: { event: string; accountId: string }[] };
    expect(document.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'STOPPED', accountId: a }),
        expect.objectContaining({ event: 'WOULD_STOP', accountId: b }),
      ]),
    );
    expect(await fx.stateIn(a)).toBe('stopped');
    expect(await fx.stateIn(b)).toBe('running');
    const items = await fx.hub.audit.between(new Date(fx.at(0)), new Date(fx.at(80)));
    expect(items.map((item) => [item.event, item.accountId, item.instanceId])).toEqual(
      expect.arrayContaining([
        ['STOPPED', a, fx.instances[a]],
        ['WOULD_STOP', b, fx.instances[b]],
      ]),
    );

    const report = await runCli(['report', '--json', '--table', fx.hub.table, '--since', fx.at(0), '--now', fx.at(80)]);
    expect(report.code).toBe(0);
    const byAccount = JSON.parse(report.stdout).byAccount;
    expect(Object.keys(byAccount).sort()).toEqual([a, b].sort());
    expect(byAccount[a]).toMatchObject({ events: 1, byOwner: { 'a@example.com': 1 } });
  });

  it('keeps passing the other accounts when one role cannot be assumed', async () => {
    const { a1, b } = fx.accounts;
    const config = parseConfig({ regions: [moto.region], accounts: { ids: [a1, b] } });
    const targets = await resolveTargets(config, { homeRegion: moto.region });
    const faults = new FaultInjector([{ operation: 'STS:AssumeRole', fault: 'throttle', when: inputMentions(a1) }]);
    const outcomes = await runTargetPasses(
      targets,
      {
        config,
        now: new Date(fx.at(70)),
        homeRegion: moto.region,
        table: fx.hub.table,
        topicArn: null,
        clients: { maxAttempts: 1, layers: [faults] },
      },
      'run',
    );
    const byAccount = new Map(outcomes.map((outcome) => [outcome.target.accountId, outcome]));
    expect(byAccount.get(a1)).toMatchObject({ status: 'error' });
    expect(byAccount.get(a1)!.error).toContain(`account ${a1} could not be assumed`);
    expect(byAccount.get(b)).toMatchObject({ status: 'ok' });
    expect(byAccount.get(b)!.result!.decisions).toEqual([expect.objectContaining({ accountId: b })]);
    const items = await fx.hub.audit.byInstance(`region/${moto.region}/${a1}`);
    expect(items).toEqual([expect.objectContaining({ event: 'ERROR', accountId: a1 })]);
  });
});
