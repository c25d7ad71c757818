/**
 * The reaper Lambda's handler, invoked as EventBridge would, with its config and resources from the environment.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EnvName } from '../../../shared/config';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const event = {
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  time: new Date().toISOString(),
} as ScheduledEvent;

describe('the reaper Lambda handler', () => {
  const saved = { ...process.env };
  beforeEach(() => vi.resetModules());
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  it('runs one pass from a scheduled event and returns its summary, logging JSON', async () => {
    const fx = await runFixture(moto.region);
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge' });
    await putGpuSeries(fx.cloudwatch, id!, minutes(Date.now() - 20 * 60_000, 20, 90));
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify({ mode: 'dry-run' }),
      [EnvName.Table]: fx.table,
      AWS_REGION: moto.region,
    });
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const { handler } = await import('../../../functions/reaper');
    const result = await handler(event);
    expect(result).toMatchObject({ mode: 'dry-run', summary: { scanned: 1, kept: 1, errors: 0 } });
    const logs = lines
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(logs.some((log) => log.message === 'pass done' && log.level === 'INFO')).toBe(true);
    expect(logs.some((log) => log._aws?.CloudWatchMetrics)).toBe(true);
  });

  it('fails cleanly with the key path when the config is bad', async () => {
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify({ idle: { window: 'soon' } }),
      [EnvName.Table]: 'unused',
      AWS_REGION: moto.region,
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { handler } = await import('../../../functions/reaper');
    await expect(handler(event)).rejects.toThrow(/idle\.window/);
  });
});
