/**
 * The owner-action endpoint: the Lambda (functions/owner-action.ts) that answers the one-click links of WARNED
 * messages, behind a Lambda Function URL, and the KMS HMAC key that signs and checks those links.
 *
 * Why a Function URL with `AuthType: NONE`: owners click from a mail or a phone, with no AWS credentials; the link's
 * token is the authentication (an HMAC over account, region, instance, action, expiry and a single-use id, made and
 * checked by KMS, the secret never leaving it). Why not API Gateway: a token is checked with one KMS call before
 * anything else happens, so a flood costs Lambda and KMS calls, not changes; the opt-in reserved concurrency
 * (`ownerActionConcurrency`) caps both (requests past it get 429) at no standing cost, where API Gateway would add a
 * second public endpoint, a stage and usage plans for the same cap.
 *
 * The role can do nothing but what a valid token asks, whatever the code does: verify MACs with this key only (never
 * generate one), write the snooze tag and remove the warned tag, stop (in `enforce` mode only) a GPU instance in
 * scope, never one that is opted out (the reaper's own EC2 conditions and deny), read what the re-checks read, write
 * the state table (conditional writes, transactions) and publish to the owner topics. With `gating` or `budgets` it
 * also writes the approval tag (an approver's signed link), on an opted-out instance too: an owner cannot opt out of
 * the approval, and an approval only ever keeps an instance running.
 *
 * With `accounts` set (the hub), the same endpoint answers every member account's links: it may assume the spoke
 * role within the organization ({@link OwnerActions.grantSpokeRoles}), whose trust names this role and whose policy
 * lets this role's session do the owner actions there and nothing more (spoke-role.ts).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { type Config, EnvName, ReaperMetrics } from '../../../shared/config';
import { EC2_INSTANCES_FINDING, TABLE_INDEXES_FINDING } from './nag-findings';
import { ownerActionEc2Statements } from './owner-action-permissions';
import { functionEntry, GpuReaperFunction } from './reaper-function';

/** Props of {@link OwnerActions}. */
interface OwnerActionsProps {
  /** The validated config, as the reaper gets it. */
  readonly config: Config;
  /** The state table (tokens, warnings, transitions, audit). */
  readonly table: dynamodb.ITable;
  /** The owner topic, where `SNOOZED`, `CLEARED`, `STOPPED` … are announced. */
  readonly topic: sns.ITopic;
  /** `ec2:InstanceType` patterns the endpoint may stop and tag (the reaper's). */
  readonly gpuInstanceTypes: readonly string[];
  /**
   * Reserved concurrency: most requests at once, the rest refused with 429 (a flood of links costs no more).
   * @default none (an account at the new-account quota of 10 can reserve none): bounded by the account's pool only
   */
  readonly reservedConcurrency?: number;
  /** The entry file. @default functions/owner-action.ts at the repository root */
  readonly entry?: string;
  /** Log retention. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the HMAC key when the stack is deleted. A deleted key only invalidates the links still out
   * (they live a day past their planned action); nothing is encrypted with it.
   * @default RemovalPolicy.DESTROY (scheduled for deletion after 7 days)
   */
  readonly keyRemovalPolicy?: RemovalPolicy;
}

/** State-table calls of an owner's answer: the token's single use, the warning, the transition and its outbox. */
const OWNER_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** The owner-action endpoint: HMAC key, function, Function URL and least-privilege role. */
class OwnerActions extends Construct {
  /** The KMS HMAC key (`HMAC_256`, `GENERATE_VERIFY_MAC`) of the links. */
  readonly key: kms.Key;
  /** The endpoint's Lambda. */
  readonly function: NodejsFunction;
  /** Its execution role. */
  readonly role: iam.Role;
  /** The public URL the links point to (the token is the authentication). */
  readonly functionUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: OwnerActionsProps) {
    super(scope, id);
    const { config } = props;
    this.key = new kms.Key(this, 'LinkKey', {
      description: 'gpu-reaper: signs and checks the one-click links of owner messages (HMAC, never leaves KMS)',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: props.keyRemovalPolicy ?? RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });

    const endpoint = new GpuReaperFunction(this, 'Endpoint', {
      entry: props.entry ?? functionEntry('owner-action'),
      description: 'gpu-reaper: the owner answers a warning (keep it, stop it now) from a signed link',
      environment: {
        [EnvName.Config]: JSON.stringify(config),
        [EnvName.Table]: props.table.tableName,
        [EnvName.TopicArn]: props.topic.topicArn,
        [EnvName.LinkKeyId]: this.key.keyArn,
        POWERTOOLS_SERVICE_NAME: `${ReaperMetrics.service}-owner-action`,
      },
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      reservedConcurrentExecutions: props.reservedConcurrency,
    });
    this.function = endpoint.function;
    this.role = endpoint.role;

    this.functionUrl = this.function.addFunctionUrl({
      // The token is the authentication: owners have no AWS credentials (see the file's comment).
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.BUFFERED,
    });
    NagSuppressions.addResourceSuppressions(
      this.function,
      ['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => ({
        id: `${pack}-LambdaFunctionPublicAccessProhibited`,
        reason:
          'The Function URL is public by design (AuthType NONE): owners answer from a mail without AWS ' +
          'credentials; every request needs a KMS-HMAC token, single use, checked by KMS before anything else.',
      })),
      true,
    );

    this.key.grant(this.role, 'kms:VerifyMac');
    const ec2Options = {
      regions: config.regions,
      tagPrefix: config.tagPrefix,
      scopeTags: config.scope.tags,
      gpuInstanceTypes: props.gpuInstanceTypes,
      mayStop: config.mode === 'enforce',
      approvals: config.gating !== null || config.budgets !== null,
    };
    for (const statement of ownerActionEc2Statements(this, ec2Options)) this.role.addToPrincipalPolicy(statement);
    props.table.grant(this.role, ...OWNER_TABLE_ACTIONS);
    props.topic.grantPublish(this.role);
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'ec2:Describe* supports no resource narrower than "*"; stop and tag are on instance/* because ' +
            'instance IDs are unknown at deploy, narrowed by conditions (GPU type, scope tags, the snooze or warned ' +
            'tag key only) and the opt-out deny; the table grant covers its indexes (table/index/*); ' +
            'kms:GenerateDataKey* is what SNS needs to publish to a KMS-encrypted topic.',
          appliesTo: ['Resource::*', EC2_INSTANCES_FINDING, TABLE_INDEXES_FINDING, 'Action::kms:GenerateDataKey*'],
        },
      ],
      true,
    );
  }

  /**
   * With `accounts` set (the hub): lets the endpoint answer member accounts' links through their spoke roles, only
   * in the organization (`aws:ResourceOrgID`, whatever account a token names), and read where an account sits in
   * it (`organizations:ListParents`, with discovery: is it a target, which overrides apply). Each spoke role lets
   * this role's session do the owner actions and nothing more.
   *
   * @param spokeRoleArnPattern `arn:<partition>:iam::*:role/<accounts.roleName>`
   */
  grantSpokeRoles(spokeRoleArnPattern: string, organizationId: string, discovery: boolean): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeSpokeRoleInOrganization',
        actions: ['sts:AssumeRole'],
        resources: [spokeRoleArnPattern],
        conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
      }),
    );
    if (discovery) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'LocateAccountInOrganization',
          actions: ['organizations:ListParents'],
          resources: ['*'],
        }),
      );
    }
    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The spoke role has the same name in every member account, whose ids are known only from the token: ' +
            'the assume grant names that role in any account and is held to the organization by aws:ResourceOrgID; ' +
            'organizations:ListParents supports no narrower resource than "*" for an organization whose management ' +
            'account is unknown at deploy, and is read-only.',
          appliesTo: [{ regex: `/^Resource::arn:(?:<AWS::Partition>|aws(?:-[a-z]+)*):iam::\\*:role\\/[\\w+=,.@-]+$/` }],
        },
      ],
      true,
    );
  }

  /** Lets `grantee` (the reaper) sign links: `kms:GenerateMac` on this key, nothing else. */
  grantLinkSigning(grantee: iam.IGrantable): iam.Grant {
    return this.key.grant(grantee, 'kms:GenerateMac');
  }
}

export type { OwnerActionsProps };
export { OWNER_TABLE_ACTIONS, OwnerActions };
