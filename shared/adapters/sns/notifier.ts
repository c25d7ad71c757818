/**
 * Announcing reaper events on SNS: one message per transition, readable text for people and the event as JSON for
 * machines (`MessageStructure: 'json'`), routed by message attributes that subscribers filter on
 * (docs/events.md). The layout lives in `render/sns-message`; this is only the SDK edge.
 */
import {
  type MessageAttributeValue,
  PublishCommand,
  type PublishCommandInput,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { ReaperEvent } from '../../core/events';
import { adminSubject, adminText, routingAttributes, snsMessage } from '../../render/notifications/sns-message';
import { toAwsError } from '../aws/aws-errors';

/** What a publish returns: the SNS message id (`memory-<n>` for {@link MemoryNotifier}). */
interface PublishResult {
  readonly messageId: string;
}

/** Where events are announced: SNS ({@link Notifier}) or memory ({@link MemoryNotifier}). */
interface EventPublisher {
  /** Publishes one transition to the owners' topic. */
  publish(event: ReaperEvent): Promise<PublishResult>;
  /** Publishes a plain-text notice for admins (capped passes, telemetry outages). */
  publishAdmin(subject: string, text: string): Promise<PublishResult>;
}

/** One message as {@link MemoryNotifier} keeps it. */
interface PublishedMessage {
  readonly messageId: string;
  readonly kind: 'event' | 'admin';
  readonly subject: string;
  readonly text: string;
  /** The machine variant (`sqs`/`lambda`/`https`); `null` for admin notices. */
  readonly json: ReaperEvent | null;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Admin notices carry only this routing attribute: no owner, so owner-filtered subscriptions never get them. */
const ADMIN_ATTRIBUTES = { event: 'ADMIN' } as const;

function toSnsAttributes(attributes: Readonly<Record<string, string>>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
}

/**
 * The SNS `Publish` input for one event: subject, JSON-structured message and routing attributes (all `String`).
 *
 * @param now the clock for "in 30m" in the text; defaults to the event's time
 */
function eventPublishInput(
  event: ReaperEvent,
  topicArn: string,
  now?: Date,
): PublishCommandInput & { TopicArn: string } {
  const { subject, message } = snsMessage(event, now);
  return {
    TopicArn: topicArn,
    MessageStructure: 'json',
    Message: message,
    Subject: subject,
    MessageAttributes: toSnsAttributes(routingAttributes(event)),
  };
}

/**
 * Publishes reaper events to the owners' SNS topic and admin notices to the admins' topic.
 *
 * Failures become `AwsError` (operation `Publish`, the topic's region) with the SDK error as `cause`.
 */
class Notifier implements EventPublisher {
  private readonly client: SNSClient;
  private readonly topicArn: string;
  private readonly adminTopicArn: string;

  /**
   * @param client an SNS client in the topics' region
   * @param topicArn the owners' topic
   * @param adminTopicArn the admins' topic; `null` sends admin notices to the owners' topic (they carry no `owner`
   *   attribute, so owner-filtered subscriptions skip them) @default null
   */
  constructor(client: SNSClient, topicArn: string, adminTopicArn: string | null = null) {
    this.client = client;
    this.topicArn = topicArn;
    this.adminTopicArn = adminTopicArn ?? topicArn;
  }

  /** Publishes one transition; see {@link eventPublishInput} for what is sent. */
  async publish(event: ReaperEvent): Promise<PublishResult> {
    return this.send(eventPublishInput(event, this.topicArn));
  }

  /** Publishes a plain-text admin notice (no `MessageStructure`), routed by the attribute `event: ADMIN`. */
  async publishAdmin(subject: string, text: string): Promise<PublishResult> {
    return this.send({
      TopicArn: this.adminTopicArn,
      Message: adminText(text),
      Subject: adminSubject(subject),
      MessageAttributes: toSnsAttributes(ADMIN_ATTRIBUTES),
    });
  }

  private async send(input: PublishCommandInput & { TopicArn: string }): Promise<PublishResult> {
    try {
      const output = await this.client.send(new PublishCommand(input));
      return { messageId: output.MessageId ?? '' };
    } catch (error) {
      // The region is the topic's (arn:aws:sns:<region>:…), which is where the call went.
      throw toAwsError(error, 'Publish', input.TopicArn.split(':')[3] || undefined);
    }
  }
}

/**
 * Keeps messages in memory instead of publishing: for runs without a topic (the CLI prints them) and for tests.
 * Renders exactly what {@link Notifier} would send.
 */
class MemoryNotifier implements EventPublisher {
  /** Every message, in publish order. */
  readonly messages: PublishedMessage[] = [];

  /** Renders the event and keeps it. */
  async publish(event: ReaperEvent): Promise<PublishResult> {
    const { subject, text, json } = snsMessage(event);
    return this.keep({ kind: 'event', subject, text, json, attributes: routingAttributes(event) });
  }

  /** Keeps an admin notice. */
  async publishAdmin(subject: string, text: string): Promise<PublishResult> {
    return this.keep({
      kind: 'admin',
      subject: adminSubject(subject),
      text: adminText(text),
      json: null,
      attributes: ADMIN_ATTRIBUTES,
    });
  }

  private keep(message: Omit<PublishedMessage, 'messageId'>): PublishResult {
    const messageId = `memory-${this.messages.length + 1}`;
    this.messages.push({ messageId, ...message });
    return { messageId };
  }
}

export type { EventPublisher, PublishedMessage, PublishResult };
export { eventPublishInput, MemoryNotifier, Notifier };
