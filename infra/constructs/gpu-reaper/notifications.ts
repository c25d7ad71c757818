/**
 * The owner topic (one message per transition) and the admin topic (alarms, capped passes, digests): encrypted with
 * one customer managed key, TLS-only, with the configured email subscriptions. Existing topics may be passed in.
 *
 * The approvers (`gating.approvers`) subscribe to the owner topic for the approvers' copy of an unapproved run alone
 * (attribute `audience` = `approvers`): it carries the approve links. The owner topic's other email subscribers get
 * every message but that copy (they read the owner's copy of the same warning); an address that is both gets both.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Props of {@link Notifications}. */
interface NotificationsProps {
  /** An existing owner topic. @default a new encrypted topic */
  readonly topic?: sns.ITopic;
  /** ARN of an existing owner topic (config `topicArn`). @default a new encrypted topic */
  readonly topicArn?: string | null;
  /** An existing admin topic. @default a new encrypted topic */
  readonly adminTopic?: sns.ITopic;
  /** Emails subscribed to the owner topic. @default none */
  readonly emails?: readonly string[];
  /** Emails subscribed to the admin topic. @default none */
  readonly adminEmails?: readonly string[];
  /** Emails subscribed to the owner topic for the approvers' copy only (config `gating.approvers`). @default none */
  readonly approvers?: readonly string[];
}

/** The `audience` value of the approvers' copy (render/notifications/sns-message.ts). */
const APPROVERS_AUDIENCE = 'approvers';

/** Only the approvers' copy: it alone carries `audience`. */
const approversOnly = () => ({ audience: sns.SubscriptionFilter.stringFilter({ allowlist: [APPROVERS_AUDIENCE] }) });

/** Everything but the approvers' copy: SNS key matching, a message without `audience` matches `exists: false`. */
const exceptApprovers = () => ({ audience: new sns.SubscriptionFilter([{ exists: false }]) });

/** The reaper's SNS topics and the key that encrypts the ones it creates. */
class Notifications extends Construct {
  /** Owner notifications: one message per transition, routed by message attributes. */
  readonly topic: sns.ITopic;
  /** Admin notifications: alarms, capped passes, digests. */
  readonly adminTopic: sns.ITopic;
  /** The customer managed key of the topics created here; `undefined` when both were passed in. */
  readonly key: kms.IKey | undefined;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const existingTopic =
      props.topic ?? (props.topicArn ? sns.Topic.fromTopicArn(this, 'Topic', props.topicArn) : undefined);
    const key = existingTopic && props.adminTopic ? undefined : this.createKey();
    this.key = key;

    this.topic = existingTopic ?? this.createTopic('Topic', 'gpu-reaper: owner notifications', key!);
    this.adminTopic = props.adminTopic ?? this.createTopic('AdminTopic', 'gpu-reaper: admin alerts', key!);
    if (this.adminTopic instanceof sns.Topic) this.allowAlarms(this.adminTopic);

    const approvers = new Set(props.approvers ?? []);
    const emails = new Set(props.emails ?? []);
    for (const email of emails) {
      // SNS keeps one subscription per address and topic: an approver listed here too gets both copies.
      const filterPolicy = approvers.has(email) ? undefined : exceptApprovers();
      this.topic.addSubscription(new subscriptions.EmailSubscription(email, { filterPolicy }));
    }
    for (const email of approvers) {
      if (emails.has(email)) continue;
      this.topic.addSubscription(new subscriptions.EmailSubscription(email, { filterPolicy: approversOnly() }));
    }
    for (const email of props.adminEmails ?? []) {
      this.adminTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }

  private createKey(): kms.Key {
    const key = new kms.Key(this, 'Key', {
      description: 'gpu-reaper: encrypts the owner and admin SNS topics',
      enableKeyRotation: true,
      // Messages are transient; nothing needs the key once the topics are gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch alarms publish to the encrypted admin topic, so the service must be able to use the key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    return key;
  }

  private createTopic(id: string, displayName: string, key: kms.IKey): sns.Topic {
    return new sns.Topic(this, id, { displayName, masterKey: key, enforceSSL: true });
  }

  // The topic policy CDK creates replaces SNS's default one, which is what let CloudWatch publish; grant it back,
  // limited to alarms of this account.
  private allowAlarms(topic: sns.Topic): void {
    const stack = Stack.of(this);
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
}

export type { NotificationsProps };
export { Notifications };
