/**
 * Chat (`notifications.chat`): a topic of its own carrying AWS Chatbot custom notifications (the reaper and the
 * owner-action endpoint post every owner event there as Chatbot JSON, one thread per instance), so the owner
 * topic's email subscribers never see that JSON. With Slack ids, a Slack channel configuration subscribed to it, and
 * a "Keep" button on the notifications that carry a keep token: a Chatbot custom action that invokes the
 * owner-action Lambda with that token, which checks and uses it exactly like the link's page would.
 *
 * The channel's role may invoke that one function and nothing else, and its guardrail policy says the same, so no
 * member of the channel can run any other AWS command through Chatbot.
 */
import { Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { type Config, parseDuration } from '../../../shared/config';

/** Props of {@link ChatNotifications}. */
interface ChatNotificationsProps {
  /** `notifications.chat` (not `null`): `{}` for the topic only, or the Slack workspace and channel ids. */
  readonly chat: NonNullable<Config['notifications']['chat']>;
  /** `notifications.links` and `snooze.ceiling`, for the button's words. */
  readonly config: Config;
  /** The key that encrypts the topic. @default a new customer managed key */
  readonly key?: kms.IKey;
  /** The owner-action Lambda the "Keep" button invokes. @default no button */
  readonly keepFunction?: lambda.IFunction;
}

/** The button's words: the shortest keep the links offer (`Keep 4h` with the defaults). */
function keepButtonText(config: Config): string | null {
  const ceiling = parseDuration(config.snooze.ceiling) ?? Number.POSITIVE_INFINITY;
  const keeps = config.notifications.links.keepFor.map((text) => Math.min(parseDuration(text) ?? 0, ceiling));
  const shortest = Math.min(...keeps.filter((ms) => ms > 0));
  if (!Number.isFinite(shortest)) return null;
  const text = shortest % 3_600_000 === 0 ? `${shortest / 3_600_000}h` : `${Math.round(shortest / 60_000)}m`;
  return `Keep ${text}`;
}

/** The chat topic, and with Slack ids the channel configuration and its "Keep" button. */
class ChatNotifications extends Construct {
  /** Where Chatbot custom notifications are published. */
  readonly topic: sns.Topic;
  /** The Slack channel configuration; `undefined` without Slack ids. */
  readonly slackChannel: chatbot.SlackChannelConfiguration | undefined;
  /** The "Keep" button; `undefined` without Slack ids, a keep function or a keep duration. */
  readonly keepAction: chatbot.CfnCustomAction | undefined;

  constructor(scope: Construct, id: string, props: ChatNotificationsProps) {
    super(scope, id);
    const key =
      props.key ??
      new kms.Key(this, 'Key', {
        description: 'gpu-reaper: encrypts the chat topic',
        enableKeyRotation: true,
        // Messages are transient; nothing needs the key once the topic is gone.
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'gpu-reaper: chat notifications',
      masterKey: key,
      enforceSSL: true,
    });

    const { slackWorkspaceId, slackChannelId } = props.chat;
    if (slackWorkspaceId === undefined || slackChannelId === undefined) return;
    const buttonText = keepButtonText(props.config);
    const keep = props.keepFunction && buttonText ? props.keepFunction : undefined;

    const role = new iam.Role(this, 'ChannelRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: 'gpu-reaper: the Slack channel may invoke the owner-action function (the Keep button), nothing else',
    });
    // The unqualified function only (grantInvoke would add every version, `<arn>:*`): the button names no version.
    const invokeKeep = keep
      ? new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [keep.functionArn] })
      : undefined;
    if (invokeKeep) role.addToPrincipalPolicy(invokeKeep);
    // Without a guardrail Chatbot applies AdministratorAccess as the channel's ceiling: narrow it to the button.
    const guardrail = new iam.ManagedPolicy(this, 'Guardrail', {
      description: 'gpu-reaper: the most the Slack channel may do through Chatbot',
      statements: [
        invokeKeep ?? new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['*'], resources: ['*'] }),
      ],
    });
    this.slackChannel = new chatbot.SlackChannelConfiguration(this, 'SlackChannel', {
      slackChannelConfigurationName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      slackWorkspaceId,
      slackChannelId,
      notificationTopics: [this.topic],
      role,
      guardrailPolicies: [guardrail],
      userRoleRequired: false,
    });
    if (!keep || !buttonText) return;

    const region = Stack.of(this).region;
    this.keepAction = new chatbot.CfnCustomAction(this, 'KeepAction', {
      actionName: Names.uniqueResourceName(this, { maxLength: 64, separator: '-', allowedSpecialCharacters: '-_' }),
      definition: {
        // Chatbot's CLI syntax; $keepToken is the variable below, taken from the notification that has the button.
        commandText: `lambda invoke --function-name ${keep.functionName} --region ${region} --payload {"keepToken": "$keepToken"}`,
      },
      attachments: [
        {
          notificationType: 'Custom',
          buttonText,
          // Only notifications with a keep link (a WARNED idle or never-used, with keepFor) carry a token.
          criteria: [{ operator: 'HAS_VALUE', variableName: 'keepToken' }],
          variables: { keepToken: 'event.metadata.additionalContext.keepToken' },
        },
      ],
    });
    const cfnChannel = this.slackChannel.node.defaultChild as chatbot.CfnSlackChannelConfiguration;
    cfnChannel.customizationResourceArns = [this.keepAction.attrCustomActionArn];
  }
}

export type { ChatNotificationsProps };
export { ChatNotifications, keepButtonText };
