/**
 * The acknowledged findings match every form the CDK renders their ARNs in (pseudo parameters, literal partitions,
 * regions and accounts: in-process, through the CLI, in any partition), and nothing wider.
 */
import { describe, expect, it } from 'vitest';
import {
  EC2_INSTANCES_FINDING,
  findingRegExp,
  TABLE_INDEXES_FINDING,
} from '../../infra/constructs/gpu-reaper/nag-findings';

const PARTITIONS = ['<AWS::Partition>', 'aws', 'aws-cn', 'aws-us-gov', 'aws-iso-b'];
const REGIONS = ['<AWS::Region>', 'us-east-1', 'cn-north-1', 'us-gov-west-1', 'ap-southeast-5', '*'];
const ACCOUNTS = ['<AWS::AccountId>', '123456789012'];
const forms = PARTITIONS.flatMap((partition) =>
  REGIONS.flatMap((region) => ACCOUNTS.map((account) => ({ partition, region, account }))),
);

describe('EC2_INSTANCES_FINDING', () => {
  const regex = findingRegExp(EC2_INSTANCES_FINDING);

  it.each(forms)('matches instance/* in $partition, $region, $account', ({ partition, region, account }) => {
    expect(regex.test(`Resource::arn:${partition}:ec2:${region}:${account}:instance/*`)).toBe(true);
  });

  it.each([
    'Resource::arn:aws:ec2:us-east-1:123456789012:volume/*',
    'Resource::arn:aws:ec2:us-east-1:123456789012:*',
    'Resource::arn:aws:ec2:us-east-1:123456789012:instance/*/x',
    'Resource::arn:aws:s3:us-east-1:123456789012:instance/*',
    'Resource::arn:aws:ec2:us-east-1:*:instance/*',
    'Resource::arn:*:ec2:us-east-1:123456789012:instance/*',
    'Resource::*',
  ])('never matches %s', (finding) => {
    expect(regex.test(finding)).toBe(false);
  });
});

describe('TABLE_INDEXES_FINDING', () => {
  const regex = findingRegExp(TABLE_INDEXES_FINDING);

  it('matches the indexes of a table of the stack', () => {
    expect(regex.test('Resource::<GpuReaperAuditTable1D5F3B9C.Arn>/index/*')).toBe(true);
  });

  it.each(forms.filter(({ region }) => region !== '*'))(
    'matches the indexes of a table passed in, in $partition, $region, $account',
    ({ partition, region, account }) => {
      expect(
        regex.test(`Resource::arn:${partition}:dynamodb:${region}:${account}:table/gpu-reaper-audit/index/*`),
      ).toBe(true);
    },
  );

  it.each([
    'Resource::<GpuReaperAuditTable1D5F3B9C.Arn>/*',
    'Resource::<GpuReaperAuditTable1D5F3B9C.Arn>/stream/*',
    'Resource::arn:aws:dynamodb:us-east-1:123456789012:table/*/index/*',
    'Resource::arn:aws:dynamodb:us-east-1:123456789012:table/a/b/index/*',
    'Resource::*',
  ])('never matches %s', (finding) => {
    expect(regex.test(finding)).toBe(false);
  });
});
