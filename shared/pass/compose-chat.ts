/**
 * The chat edge of the composition: wraps a publisher so that every event also goes to the chat topic as an AWS
 * Chatbot custom notification, when there is one (`GPU_REAPER_CHAT_TOPIC_ARN`, set by the stack with
 * `notifications.chat`). The reaper and the owner-action Lambda both compose through here.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { attachLayers, type ClientFactoryOptions, clientOptions } from '../adapters/aws/clients';
import { withChat } from '../adapters/sns/chat-publisher';
import type { EventPublisher } from '../core/ports';

/** Where the chat topic is and how to report a failed chat post. */
interface ChatEdges {
  /** The chat topic; `null` or empty: no chat, `publisher` as it is. */
  readonly chatTopicArn: string | null | undefined;
  /** Region of the client when the ARN does not say. */
  readonly homeRegion: string;
  readonly clients?: ClientFactoryOptions;
  readonly onProblem?: (message: string, error: unknown) => void;
}

/** `publisher`, also posting each event to the chat topic when one is configured. */
function composeChat(publisher: EventPublisher, edges: ChatEdges): EventPublisher {
  if (!edges.chatTopicArn) return publisher;
  const region = edges.chatTopicArn.split(':')[3] || edges.homeRegion;
  const client = attachLayers(new SNSClient(clientOptions(region, edges.clients)), edges.clients ?? {});
  return withChat(publisher, client, edges.chatTopicArn, edges.onProblem);
}

export type { ChatEdges };
export { composeChat };
