/**
 * How the DynamoDB adapters send a command: SDK failures become `AwsError` (original as `cause`), and a refused
 * condition on a conditional write is the expected answer `false`, not an error.
 */
import { toAwsError } from '../aws/aws-errors';

/** True when DynamoDB refused a write because its condition did not hold (another pass got there first). */
function isConditionRefused(error: unknown): boolean {
  // By name, not instanceof: the injected client may come from another copy of the SDK.
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Sends one DynamoDB call and translates its failure.
 * @throws AwsError naming `operation` and `region`, with the SDK error as `cause`
 */
async function dynamoCall<T>(operation: string, region: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAwsError(error, operation, region);
  }
}

/**
 * Sends one conditional write: `true` when DynamoDB applied it, `false` when its condition refused it.
 * @throws AwsError for any other failure
 */
async function conditionalWrite(
  operation: string,
  region: string | undefined,
  write: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionRefused(error)) return false;
    throw toAwsError(error, operation, region);
  }
}

export { conditionalWrite, dynamoCall, isConditionRefused };
