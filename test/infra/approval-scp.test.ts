/**
 * The SCP of docs/cost-gating.md ("Locking the approval tag down"), as printed there, under the AWS evaluation logic
 * (iam-simulate, with FullAWSAccess beside it and a principal allowed everything by IAM): only the approvers' role
 * and the owner-action endpoint's role may write the approval key, and nobody but the approvers may put it in a
 * launch. Not against real Organizations: simulation only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/gpu-reaper';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const KEY = 'gpu-reaper:approved-until';
const instance = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0abc`;
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const ROLES = {
  approver: `arn:aws:iam::${ACCOUNT}:role/ml-approvers`,
  endpoint: `arn:aws:iam::${ACCOUNT}:role/GpuReaper-GpuReaperOwnerActionsEndpointRole1A2B3C-Xy7Zq9Rt5Uw1`,
  owner: `arn:aws:iam::${ACCOUNT}:role/ml-researcher`,
  reaper: `arn:aws:iam::${ACCOUNT}:role/GpuReaper-GpuReaperRole9F8E7D6C-Ab1Cd2Ef3Gh4`,
} as const;

/** The JSON block of the page's "Locking the approval tag down" section. */
function documentedScp(): unknown {
  const page = readFileSync(join(REPO_ROOT, 'docs/cost-gating.md'), 'utf8');
  const section = page.split(/^## /m).find((part) => part.startsWith('Locking the approval tag down'));
  const block = /```json\n([\s\S]*?)```/.exec(section ?? '')?.[1];
  if (block === undefined) throw new Error('docs/cost-gating.md: no JSON block under "Locking the approval tag down"');
  return JSON.parse(block);
}

const scp = documentedScp();

/** What the SCP lets `role` (a session of it) do, IAM allowing everything. */
async function scpAllows(
  role: keyof typeof ROLES,
  action: string,
  context: Record<string, string | string[]>,
): Promise<string> {
  const roleArn = ROLES[role];
  const response = await runSimulation(
    {
      request: {
        principal: roleArn.replace(/^arn:aws:iam::(\d+):role\/(.+)$/, 'arn:aws:sts::$1:assumed-role/$2/session'),
        action,
        resource: { resource: instance, accountId: ACCOUNT },
        // The simulator derives no aws:PrincipalArn from an assumed-role session: given as AWS would set it.
        contextVariables: { 'aws:PrincipalArn': roleArn, 'ec2:InstanceType': 'p5.48xlarge', ...context },
      },
      identityPolicies: [{ name: 'admin', policy: ALLOW_ALL }],
      serviceControlPolicies: [
        {
          orgIdentifier: 'r-root',
          policies: [
            { name: 'FullAWSAccess', policy: ALLOW_ALL },
            { name: 'approval-tag', policy: scp },
          ],
        },
      ],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
  return response.overallResult;
}

const approval = { 'aws:TagKeys': [KEY], [`aws:RequestTag/${KEY}`]: '2026-12-08T10:00:00Z' };
const atLaunch = (createAction: string) => ({ ...approval, 'ec2:CreateAction': createAction });

describe('the documented SCP', () => {
  it('lets the approvers and the endpoint write the approval tag on an instance', async () => {
    expect(await scpAllows('approver', 'ec2:CreateTags', approval)).toBe('Allowed');
    expect(await scpAllows('endpoint', 'ec2:CreateTags', approval)).toBe('Allowed');
    expect(await scpAllows('approver', 'ec2:DeleteTags', { 'aws:TagKeys': [KEY] })).toBe('Allowed');
  });

  it('denies everyone else writing or removing it, alone, among other keys, or in another case', async () => {
    for (const role of ['owner', 'reaper'] as const) {
      expect(await scpAllows(role, 'ec2:CreateTags', approval)).toBe('ExplicitlyDenied');
      expect(await scpAllows(role, 'ec2:DeleteTags', { 'aws:TagKeys': [KEY] })).toBe('ExplicitlyDenied');
      expect(await scpAllows(role, 'ec2:CreateTags', { 'aws:TagKeys': ['Owner', KEY] })).toBe('ExplicitlyDenied');
      expect(await scpAllows(role, 'ec2:CreateTags', { 'aws:TagKeys': ['GPU-Reaper:Approved-Until'] })).toBe(
        'ExplicitlyDenied',
      );
    }
  });

  it('leaves every other tag alone', async () => {
    for (const key of ['gpu-reaper:snooze-until', 'gpu-reaper:warned', 'Owner']) {
      expect(await scpAllows('owner', 'ec2:CreateTags', { 'aws:TagKeys': [key] })).toBe('Allowed');
      expect(await scpAllows('owner', 'ec2:DeleteTags', { 'aws:TagKeys': [key] })).toBe('Allowed');
    }
  });

  it('denies the tag at launch (RunInstances, CreateFleet) to all but the approvers, the endpoint included', async () => {
    for (const createAction of ['RunInstances', 'CreateFleet']) {
      expect(await scpAllows('owner', 'ec2:CreateTags', atLaunch(createAction))).toBe('ExplicitlyDenied');
      expect(await scpAllows('endpoint', 'ec2:CreateTags', atLaunch(createAction))).toBe('ExplicitlyDenied');
      expect(await scpAllows('approver', 'ec2:CreateTags', atLaunch(createAction))).toBe('Allowed');
    }
    expect(await scpAllows('owner', 'ec2:CreateTags', { ...atLaunch('RunInstances'), 'aws:TagKeys': ['Owner'] })).toBe(
      'Allowed',
    );
  });

  it('denies a launch request naming the key to all but the approvers', async () => {
    expect(await scpAllows('owner', 'ec2:RunInstances', approval)).toBe('ExplicitlyDenied');
    expect(await scpAllows('owner', 'ec2:RunInstances', { 'aws:TagKeys': ['Owner', KEY] })).toBe('ExplicitlyDenied');
    expect(await scpAllows('approver', 'ec2:RunInstances', approval)).toBe('Allowed');
    expect(await scpAllows('owner', 'ec2:RunInstances', { 'aws:TagKeys': ['Owner'] })).toBe('Allowed');
    expect(await scpAllows('owner', 'ec2:RunInstances', {})).toBe('Allowed');
  });
});
