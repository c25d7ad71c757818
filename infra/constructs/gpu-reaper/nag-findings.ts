/**
 * Patterns of the cdk-nag findings the construct acknowledges, written for every form an ARN takes in a synthesized
 * template. How the CDK renders a partition, region or account depends on how the app is run: in-process without an
 * environment they are pseudo parameters (`<AWS::Partition>`, `<AWS::Region>`, `<AWS::AccountId>`); the CDK CLI sets
 * `CDK_DEFAULT_REGION` (and `CDK_DEFAULT_ACCOUNT` with credentials), and with `@aws-cdk/core:enablePartitionLiterals`
 * the partition then becomes a literal (`aws`, `aws-cn`, `aws-us-gov`, …). An acknowledgement that names one form
 * fails the synth in the others.
 */

/** A partition: the pseudo parameter, or a literal (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, …). */
const PARTITION = '(?:<AWS::Partition>|aws(?:-[a-z]+)*)';
/** A region: the pseudo parameter, a literal (`us-east-1`, `cn-north-1`, `us-gov-west-1`, …) or `*`. */
const REGION = '(?:<AWS::Region>|[a-z]{2}(?:-[a-z]+)+-\\d+|\\*)';
/** An account: the pseudo parameter or twelve digits. */
const ACCOUNT = '(?:<AWS::AccountId>|\\d{12})';

/** An `appliesTo` entry matching a cdk-nag finding id by regular expression (cdk-nag's `/…/` notation). */
interface FindingPattern {
  readonly regex: string;
}

/** `Resource::arn:<partition>:<service>:<region>:<account>:<resource>`, any form of the three middle parts. */
function arnFinding(service: string, resource: string): FindingPattern {
  return { regex: `/^Resource::arn:${PARTITION}:${service}:${REGION}:${ACCOUNT}:${resource}$/` };
}

/** Every EC2 instance of a region: `…:ec2:<region>:<account>:instance/*`. */
const EC2_INSTANCES_FINDING = arnFinding('ec2', 'instance\\/\\*');

/**
 * The indexes of a DynamoDB table (`<table ARN>/index/*`), for a table of the stack (`<LogicalId.Arn>`) or one passed
 * in by name or ARN (`arn:…:dynamodb:<region>:<account>:table/<name>/index/*`).
 */
const TABLE_INDEXES_FINDING: FindingPattern = {
  regex:
    `/^Resource::(?:<[A-Za-z0-9]+\\.Arn>|arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table\\/[A-Za-z0-9_.-]+)` +
    '\\/index\\/\\*$/',
};

/** The regular expression of a pattern, as cdk-nag builds it (for tests). */
function findingRegExp(pattern: FindingPattern): RegExp {
  const match = /^\/(.*)\/([a-z]*)$/.exec(pattern.regex);
  if (!match) throw new Error(`not a cdk-nag regex: ${pattern.regex}`);
  return new RegExp(match[1] ?? '', match[2]);
}

export type { FindingPattern };
export { arnFinding, EC2_INSTANCES_FINDING, findingRegExp, TABLE_INDEXES_FINDING };
