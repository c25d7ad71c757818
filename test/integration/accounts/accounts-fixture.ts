/**
 * An organization in moto for the many-accounts tests: a root with OU `a` (and its child OU `a1`) and OU `b`, one
 * created account in each, and an idle g5.xlarge in each account, launched through the spoke role (moto keeps a
 * separate backend per account: the assumed role's calls land in that account). The hub's table and topic stay in
 * moto's default account.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { spokeCredentials } from '../../../shared/pass/targets';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { reaperResources } from '../../helpers/reaper-resources';

const MIN = 60_000;

/** The EC2 and CloudWatch clients of `accountId`, through the spoke role. */
function memberClients(accountId: string, region: string) {
  const credentials = spokeCredentials({ accountId, roleName: 'GpuReaperSpoke', homeRegion: region });
  const options = { ...clientOptions(region), credentials };
  return { ec2: new EC2Client(options), cloudwatch: new CloudWatchClient(options) };
}

/** Creates the organization, its OUs and accounts, an idle instance in each account, and the hub's resources. */
async function accountsFixture(region: string) {
  const org = new OrganizationsClient(clientOptions(region));
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const root = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const newOu = async (parent: string, name: string) =>
    (await org.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: name }))).OrganizationalUnit!.Id!;
  const ouA = await newOu(root, 'a');
  const ouA1 = await newOu(ouA, 'a1');
  const ouB = await newOu(root, 'b');
  const newAccount = async (name: string, ou: string) => {
    const created = await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
    const id = created.CreateAccountStatus!.AccountId!;
    await org.send(new MoveAccountCommand({ AccountId: id, SourceParentId: root, DestinationParentId: ou }));
    return id;
  };
  const accounts = { a: await newAccount('a', ouA), a1: await newAccount('a1', ouA1), b: await newAccount('b', ouB) };

  const launch = Math.floor(Date.now() / MIN) * MIN;
  const instances: Record<string, string> = {};
  for (const [name, id] of Object.entries(accounts)) {
    const { ec2, cloudwatch } = memberClients(id, region);
    const [instance] = await launchInstances(ec2, {
      instanceType: 'g5.xlarge',
      tags: { Owner: `${name}@example.com` },
    });
    await putGpuSeries(cloudwatch, instance!, minutes(launch, 120, 0));
    instances[id] = instance!;
  }
  const hub = await reaperResources(region, 'accounts');
  const dir = mkdtempSync(join(tmpdir(), 'reaper-accounts-'));
  let files = 0;
  /** Writes a config file; the file's path. */
  const configFile = (document: unknown) => {
    const path = join(dir, `config-${++files}.json`);
    writeFileSync(path, JSON.stringify(document));
    return path;
  };
  /** The EC2 state of the idle instance of `accountId`. */
  const stateIn = async (accountId: string) => {
    const { ec2 } = memberClients(accountId, region);
    const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instances[accountId]!] }));
    return answer.Reservations?.[0]?.Instances?.[0]?.State?.Name;
  };
  /** `--now` at `m` minutes after the launch. */
  const at = (m: number) => new Date(launch + m * MIN + 30_000).toISOString();
  return { root, ous: { a: ouA, a1: ouA1, b: ouB }, accounts, instances, hub, configFile, stateIn, at };
}

export { accountsFixture, memberClients };
