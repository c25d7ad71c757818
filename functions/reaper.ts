/**
 * The reaper Lambda: one pass per EventBridge schedule tick. (Wiring lands with the act path.)
 */
import type { ScheduledEvent } from 'aws-lambda';

export const handler = async (_event: ScheduledEvent): Promise<void> => {};
