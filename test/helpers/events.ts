/**
 * A realistic reaper event (an idle warning for a 4-GPU instance) for the notifier and rendering tests.
 */
import type { ReaperEvent } from '../../shared/core/events';

const EVENT_AT = '2024-05-01T13:35:00.000Z';

/** An idle WARNED event in enforce mode; override any field. */
function reaperEvent(overrides: Partial<ReaperEvent> = {}): ReaperEvent {
  return {
    transitionId: 't-1',
    event: 'WARNED',
    instanceId: 'i-0abc',
    region: 'us-east-1',
    accountId: '123456789012',
    at: EVENT_AT,
    rule: 'idle',
    action: 'stop',
    actAt: '2024-05-01T14:05:00.000Z',
    mode: 'enforce',
    reason: 'GPU max 2% < 5% over 1h',
    evidence: {
      launchTime: '2024-05-01T01:00:00.000Z',
      runningForMinutes: 755,
      gpuCount: 4,
      gpuSource: 'instance-types',
      telemetry: 'ok',
      telemetrySource: 'instance-rollup',
      window: { from: '2024-05-01T12:35:00.000Z', to: EVENT_AT, minutes: 60 },
      datapoints: 58,
      coverage: 58 / 60,
      maxUtilization: 2,
      threshold: 5,
      minCoverage: 0.8,
      idleMinutes: 90,
      idleUsd: 8.51,
    },
    instanceType: 'g5.12xlarge',
    owner: 'alice@example.com',
    hourlyUsd: 5.672,
    passId: 'p-1',
    configHash: 'abc123',
    tagPrefix: 'gpu-reaper:',
    ...overrides,
  };
}

export { EVENT_AT, reaperEvent };
