/**
 * Names of the environment variables the Lambda functions read (the reaper, the digest and the owner-action
 * endpoint, which reads `Config`, `Table`, `TopicArn`, `ChatTopicArn` and `LinkKeyId`). Shared by `infra/` (which sets them) and
 * `functions/` (which reads them), so the two cannot drift.
 */
const EnvName = {
  /** The whole validated config document, as JSON. */
  Config: 'GPU_REAPER_CONFIG',
  /** The DynamoDB table for the audit trail and warning state (overrides `auditTable`). */
  Table: 'GPU_REAPER_TABLE',
  /** The SNS topic for owner notifications (overrides `topicArn`). */
  TopicArn: 'GPU_REAPER_TOPIC_ARN',
  /** The SNS topic for admin notices (capped passes, digests). */
  AdminTopicArn: 'GPU_REAPER_ADMIN_TOPIC_ARN',
  /**
   * The KMS HMAC key (`HMAC_256`, key id, ARN or alias) that signs owner-action links: the reaper Lambda
   * (or, with `accounts`, the hub's worker) generates MACs with it, the owner-action Lambda verifies them. Unset:
   * messages carry no links.
   */
  LinkKeyId: 'GPU_REAPER_LINK_KEY_ID',
  /**
   * The owner-action endpoint's URL (the Function URL), read by the reaper Lambda (or the hub's worker) to build links; overrides
   * `notifications.links.baseUrl`. Unset and no `baseUrl`: messages carry no links.
   */
  OwnerActionUrl: 'GPU_REAPER_OWNER_ACTION_URL',
  /**
   * The SNS topic of AWS Chatbot custom notifications (`notifications.chat`): every owner event is also published
   * there as Chatbot JSON, one thread per instance. Unset: no chat messages.
   */
  ChatTopicArn: 'GPU_REAPER_CHAT_TOPIC_ARN',
  /** The SQS queue the dispatcher sends one message per target (account × region) to; the worker consumes it. */
  TargetQueueUrl: 'GPU_REAPER_TARGET_QUEUE_URL',
  /** How long a target's lease (no second message while one is in flight) lasts at most, in milliseconds. */
  TargetLeaseMs: 'GPU_REAPER_TARGET_LEASE_MS',
} as const;
type EnvName = (typeof EnvName)[keyof typeof EnvName];

export { EnvName };
