/**
 * Target resolution: ACTIVE accounts under the configured OUs and their child OUs (pages followed), plus `ids`,
 * minus `exclude`, each × its regions; `--account` and `--region` limit them.
 */
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ConfigInput, parseConfig } from '../../../../shared/config';
import { UsageError } from '../../../../shared/errors';
import { resolveTargets } from '../../../../shared/pass/targets';

const ROOT = 'r-ab12';
const OU = 'ou-ab12-11111111';
const CHILD = 'ou-ab12-22222222';
const OTHER = 'ou-ab12-33333333';
const [A, B, C, D, SUSPENDED] = ['111111111111', '222222222222', '333333333333', '444444444444', '555555555555'];

const orgs = mockClient(OrganizationsClient);
const account = (Id: string, Status: 'ACTIVE' | 'SUSPENDED' = 'ACTIVE') => ({ Id, Status });

beforeEach(() => {
  orgs.reset();
  orgs.on(ListRootsCommand).resolves({ Roots: [{ Id: ROOT }] });
  orgs.on(ListParentsCommand, { ChildId: OU }).resolves({ Parents: [{ Id: ROOT, Type: 'ROOT' }] });
  orgs.on(ListOrganizationalUnitsForParentCommand).resolves({ OrganizationalUnits: [] });
  orgs
    .on(ListOrganizationalUnitsForParentCommand, { ParentId: ROOT })
    .resolves({ OrganizationalUnits: [{ Id: OU }, { Id: OTHER }] });
  // Two pages of child OUs: the second holds the child.
  orgs
    .on(ListOrganizationalUnitsForParentCommand, { ParentId: OU })
    .resolves({ OrganizationalUnits: [], NextToken: 't' });
  orgs
    .on(ListOrganizationalUnitsForParentCommand, { ParentId: OU, NextToken: 't' })
    .resolves({ OrganizationalUnits: [{ Id: CHILD }] });
  orgs.on(ListAccountsForParentCommand).resolves({ Accounts: [] });
  orgs
    .on(ListAccountsForParentCommand, { ParentId: OU })
    .resolves({ Accounts: [account(A), account(SUSPENDED, 'SUSPENDED')] });
  orgs.on(ListAccountsForParentCommand, { ParentId: CHILD }).resolves({ Accounts: [account(B)] });
  orgs.on(ListAccountsForParentCommand, { ParentId: OTHER }).resolves({ Accounts: [account(C)] });
});

const deps = () => ({ organizations: new OrganizationsClient({ region: 'us-east-1' }), homeRegion: 'us-east-1' });
const resolve = (accounts: ConfigInput['accounts'], extra: ConfigInput = {}, filter = {}) =>
  resolveTargets(parseConfig({ ...extra, accounts }), deps(), filter);

describe('resolveTargets', () => {
  it('finds the ACTIVE accounts of an OU and its child OUs, with their OU path, in the home region', async () => {
    expect(await resolve({ organization: { ous: [OU] } })).toEqual([
      { accountId: A, region: 'us-east-1', ouPath: [ROOT, OU] },
      { accountId: B, region: 'us-east-1', ouPath: [ROOT, OU, CHILD] },
    ]);
  });

  it('covers the whole organization from its root with ous []', async () => {
    const targets = await resolve({ organization: { ous: [] } });
    expect(targets.map((target) => target.accountId)).toEqual([A, B, C]);
  });

  it('adds ids, removes exclude, and multiplies by the regions', async () => {
    const targets = await resolve(
      { organization: { ous: [OU] }, ids: [D], exclude: [B] },
      { regions: ['eu-west-1', 'us-west-2'] },
    );
    expect(targets.map((t) => `${t.accountId}/${t.region}`)).toEqual([
      `${A}/eu-west-1`,
      `${A}/us-west-2`,
      `${D}/eu-west-1`,
      `${D}/us-west-2`,
    ]);
  });

  it("takes each account's regions from its overrides", async () => {
    const targets = await resolve({ ids: [A, D], overrides: { [D]: { regions: ['ap-south-1'] } } });
    expect(targets.map((t) => `${t.accountId}/${t.region}`)).toEqual([`${A}/us-east-1`, `${D}/ap-south-1`]);
  });

  it('never calls Organizations without discovery', async () => {
    await resolveTargets(parseConfig({ accounts: { ids: [D] } }), { homeRegion: 'us-east-1' });
    expect(orgs.calls()).toHaveLength(0);
  });

  it('limits the targets to --account and the regions to --region', async () => {
    const targets = await resolve({ ids: [A, D] }, {}, { accounts: [D], regions: ['eu-central-1'] });
    expect(targets).toEqual([{ accountId: D, region: 'eu-central-1', ouPath: [] }]);
  });

  it('refuses an --account that is no target', async () => {
    await expect(resolve({ ids: [A] }, {}, { accounts: [D] })).rejects.toThrow(UsageError);
  });

  it('turns an Organizations failure into an AwsError naming the call', async () => {
    orgs
      .on(ListAccountsForParentCommand, { ParentId: OU })
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(resolve({ organization: { ous: [OU] } })).rejects.toMatchObject({ code: 'AWS_CREDENTIALS' });
  });
});
