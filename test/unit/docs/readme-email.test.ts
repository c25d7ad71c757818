/**
 * The README shows what people will read: its sample email is exactly what the code renders for the decision it
 * describes (the engine's own decision, reason and evidence for a job that died at setup, turned into the WARNED
 * event a pass sends), and its words about the `plan`/`run` table name a column the table really has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/schema';
import { decideInstance, type GpuPoint, type HostPoint, type InstanceInput } from '../../../shared/engine';
import { buildEvent } from '../../../shared/pass/event-builder';
import { renderNotification } from '../../../shared/render/notifications/notification';
import { renderDecisionTable } from '../../../shared/render/tables/decision-table';

const README = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
const MINUTE = 60_000;
const NOW = new Date('2026-11-21T13:55:00.000Z');
const LAUNCH = new Date('2026-11-21T13:20:00.000Z');
const ID = 'i-3ea1ff7fc9497a831';

/** The fenced block right after the paragraph that introduces it. */
function blockAfter(markdown: string, intro: string): string {
  const start = markdown.indexOf(intro);
  expect(start, `README has "${intro}"`).toBeGreaterThan(-1);
  const match = /```text\n([\s\S]*?)\n```/.exec(markdown.slice(start));
  expect(match, `a text block after "${intro}"`).not.toBeNull();
  return match![1]!;
}

/**
 * A g5.2xlarge whose GPU never did anything since it started 35 minutes ago, on a host that did nothing either
 * (EC2's basic monitoring: each 5-minute period a CPU max of 1.2% and 2.5 MiB of network, its agents' chatter): the
 * demo's died-at-setup job.
 */
function diedAtSetup(): InstanceInput {
  const points: GpuPoint[] = [];
  for (let at = LAUNCH.getTime(); at < NOW.getTime(); at += MINUTE) points.push({ at, max: 0 });
  const host: HostPoint[] = [];
  for (let at = LAUNCH.getTime(); at < NOW.getTime(); at += 5 * MINUTE) {
    host.push({ at, cpuMax: 1.2, networkBytes: 2.5 * 1024 * 1024 });
  }
  return {
    instance: {
      instanceId: ID,
      region: 'us-east-1',
      accountId: '123456789012',
      instanceType: 'g5.2xlarge',
      state: 'running',
      launchTime: LAUNCH,
      tags: { Owner: 'dave@example.com' },
      gpu: { hasGpu: true, count: 1, source: 'instance-types' },
      rootDeviceType: 'ebs',
      spot: null,
    },
    telemetry: {
      status: 'ok',
      source: 'instance-rollup',
      points,
      from: new Date(NOW.getTime() - 60 * MINUTE),
      to: NOW,
      sinceLaunchMax: null,
      host: { status: 'ok', points: host, from: LAUNCH },
    },
    warning: null,
    hourlyUsd: 1.212,
  };
}

/** The email the owner receives: its subject line, a blank line, its text. */
function renderedEmail(): string {
  const decision = decideInstance(diedAtSetup(), parseConfig({ mode: 'enforce' }), NOW);
  expect(decision).toMatchObject({ outcome: 'warn', rule: 'never-used', action: 'stop' });
  const stamp = {
    passId: '20261121T135500Z-224fd1',
    now: NOW,
    mode: 'enforce' as const,
    configHash: '9da01a61a28e',
    tagPrefix: 'gpu-reaper:',
    accountIdOf: () => '123456789012',
  };
  const { subject, text } = renderNotification(buildEvent(stamp, decision, 'WARNED'), NOW);
  return `Subject: ${subject}\n\n${text.trimEnd()}`;
}

describe('the README', () => {
  it('shows the never-used warning email exactly as the code renders it', () => {
    const sample = blockAfter(README, 'An email as the owner of a job that died at setup receives it');
    expect(sample).toBe(renderedEmail());
  });

  it('describes the idle cost where the plan/run table really prints it', () => {
    const said = /The `([^`]+)` column of the `plan`\/`run` table ends with .*?\(`(idle [^`]+)`\)/s.exec(README);
    expect(said, 'README says which column shows the idle cost').not.toBeNull();
    const [, column, wrapped] = said!;
    const example = wrapped!.replace(/\s+/g, ' ');
    const decision = decideInstance(diedAtSetup(), parseConfig({}), NOW);
    const evidence = { ...decision.evidence, idleMinutes: 130, idleUsd: 2.18 };
    const table = renderDecisionTable({
      passId: 'p-1',
      mode: 'dry-run',
      now: NOW,
      regions: ['us-east-1'],
      decisions: [{ ...decision, evidence }],
      regionFailures: [],
      telemetryBrake: false,
      capped: 0,
    });
    const head = table.split('\n')[2] ?? '';
    expect(head.split('│').map((cell) => cell.trim())).toContain(column);
    expect(example).toBe('idle 2h10m, $2.18 burned');
    expect(table).toContain(example);
  });
});
