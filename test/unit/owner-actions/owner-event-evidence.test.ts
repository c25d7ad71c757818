/**
 * The events an owner's answer causes read no GPU telemetry: their evidence keeps the instance's facts, drops the
 * readings a pass would have made, and says `telemetryRead: false`; their messages say "not read", never the "no
 * data" (0 datapoints, telemetry missing, too sparse to tell) of an instance that sends none.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import { decideInstance, type InstanceFacts } from '../../../shared/engine';
import { NOT_READ, unreadEvidence } from '../../../shared/owner-actions/owner-stop-check';
import { renderNotification } from '../../../shared/render/notifications/notification';
import { reaperEvent } from '../../helpers/events';

const NOW = new Date('2026-11-21T13:00:00.000Z');
const fresh: InstanceFacts = {
  instanceId: 'i-0123456789abcdef0',
  region: 'us-east-1',
  accountId: '123456789012',
  instanceType: 'g5.xlarge',
  state: 'running',
  launchTime: new Date('2026-11-21T12:00:00.000Z'),
  tags: { Owner: 'carol@example.com' },
  gpu: { count: 1, source: 'instance-types' } as InstanceFacts['gpu'],
  rootDeviceType: 'ebs',
  spot: null,
  protection: { stop: false, termination: false },
};

describe("the evidence of an owner's event", () => {
  // What the engine says without telemetry: zero datapoints, coverage 0, telemetry missing.
  const engine = decideInstance(
    { instance: fresh, telemetry: NOT_READ(NOW), warning: null, hourlyUsd: 1.006 },
    parseConfig({}),
    NOW,
  ).evidence;
  const evidence = unreadEvidence(engine);
  it('starts from the engine’s empty readings', () => {
    expect(engine).toMatchObject({ datapoints: 0, coverage: 0, telemetry: 'missing', idleMinutes: null });
  });

  it('keeps the facts of the instance and none of the readings, and says none were read', () => {
    expect(evidence).toMatchObject({ launchTime: fresh.launchTime.toISOString(), gpuCount: 1, telemetryRead: false });
    expect(evidence.runningForMinutes).toBe(60);
    for (const key of ['window', 'datapoints', 'coverage', 'maxUtilization', 'telemetryGap']) {
      expect(evidence).not.toHaveProperty(key);
    }
    expect(evidence).toMatchObject({ idleMinutes: null, idleUsd: null });
  });

  it('reads as "not read" in the message, never as no data', () => {
    for (const event of ['SNOOZED', 'CLEARED', 'STOPPED'] as const) {
      const { text } = renderNotification(
        reaperEvent({ event, by: 'owner', rule: event === 'SNOOZED' ? 'snoozed' : 'never-used', evidence }),
      );
      expect(text).toContain('telemetry: not read for this event (the owner answered a message)');
      expect(text).toContain("Idle time not read: this event is the owner's answer, not a reading of the GPUs.");
      expect(text).not.toMatch(/Datapoints: 0|coverage 0%|telemetry: missing|too sparse to tell/);
    }
  });

  it('leaves the messages of the reaper’s own passes as they were', () => {
    const { text } = renderNotification(reaperEvent());
    expect(text).toContain('Datapoints: 58');
    expect(text).not.toContain('not read');
  });
});
