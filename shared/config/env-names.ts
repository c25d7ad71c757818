/**
 * Names of the environment variables the Lambda functions read. Shared by `infra/` (which sets them) and
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
} as const;
type EnvName = (typeof EnvName)[keyof typeof EnvName];

export { EnvName };
