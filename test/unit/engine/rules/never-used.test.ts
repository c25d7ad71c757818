import { describe, expect, it } from 'vitest';
import { neverUsed } from '../../../../shared/engine/rules';
import { ago, context, failed, missing, points, type Scenario, telemetry } from '../fixtures';

const launched45 = { launchTime: ago('45m') };
const since45 = (value: number | ((i: number) => number) = 1) => telemetry(points(value, { span: '45m' }));

describe('never-used: the rule', () => {
  it.each<[string, Scenario, boolean]>([
    [
      'warns when the GPU stayed below the threshold since launch',
      { instance: launched45, telemetry: since45() },
      true,
    ],
    [
      'never acts when running exactly neverUsed.after',
      { instance: { launchTime: ago('30m') }, telemetry: since45() },
      false,
    ],
    [
      'warns when running just longer than neverUsed.after',
      { instance: { launchTime: new Date(ago('30m').getTime() - 1) }, telemetry: since45() },
      true,
    ],
    [
      'never acts when the GPU reached the threshold once since launch',
      { instance: launched45, telemetry: since45((i) => (i === 0 ? 5 : 0)) },
      false,
    ],
    [
      'never acts when the launch minute shows use',
      {
        instance: { launchTime: new Date(ago('45m').getTime() + 30_000) },
        telemetry: since45((i) => (i === 0 ? 50 : 0)),
      },
      false,
    ],
    [
      'ignores points from before the launch (a previous run)',
      {
        instance: launched45,
        telemetry: telemetry([...points(90, { span: '1h', until: '45m' }), ...since45().points]),
      },
      true,
    ],
    [
      'never acts when the launch is older than the telemetry and no since-launch maximum is known',
      { instance: { launchTime: ago('3h') }, telemetry: telemetry(points(0)) },
      false,
    ],
    [
      'warns when the telemetry read starts at the launch itself',
      { instance: launched45, telemetry: telemetry(since45().points, { from: ago('45m') }) },
      true,
    ],
    [
      'warns when the since-launch maximum proves it for an older launch',
      {
        instance: { launchTime: ago('3h') },
        telemetry: telemetry(points(0), { sinceLaunchMax: 4.9, sinceLaunchCovered: 110 }),
      },
      true,
    ],
    [
      'warns when the since-launch maximum is 0 for an older launch',
      {
        instance: { launchTime: ago('3h') },
        telemetry: telemetry(points(0), { sinceLaunchMax: 0, sinceLaunchCovered: 88 }),
      },
      true,
    ],
    [
      'never acts on a negative since-launch maximum, which is no reading at all',
      { instance: { launchTime: ago('3h') }, telemetry: telemetry(points(0), { sinceLaunchMax: -1 }) },
      false,
    ],
    [
      'never acts when the since-launch maximum reached the threshold',
      { instance: { launchTime: ago('3h') }, telemetry: telemetry(points(0), { sinceLaunchMax: 5 }) },
      false,
    ],
    [
      'counts a since-launch maximum even for a launch inside the window',
      { instance: launched45, telemetry: telemetry(since45().points, { sinceLaunchMax: 60 }) },
      false,
    ],
    [
      'never acts when the run since launch is covered under minCoverage (27/35 after the agent start)',
      { instance: launched45, telemetry: telemetry(points(0, { span: '45m' }).filter((_, i) => i < 15 || i >= 23)) },
      false,
    ],
    [
      'warns when the run since launch is covered exactly at minCoverage (28/35 after the agent start)',
      { instance: launched45, telemetry: telemetry(points(0, { span: '45m' }).filter((_, i) => i < 15 || i >= 22)) },
      true,
    ],
    [
      'never acts when the GPU could have been busy before the agent published (the last 30m covered, the run not)',
      { instance: { launchTime: ago('70m') }, telemetry: telemetry(points(0, { span: '30m' }), { from: ago('70m') }) },
      false,
    ],
    [
      'never acts for an older launch whose coverage before the window is unknown (read hourly)',
      {
        instance: { launchTime: ago('3h') },
        telemetry: telemetry(points(0), { sinceLaunchMax: 0, sinceLaunchCovered: null }),
      },
      false,
    ],
    [
      'never acts for an older launch sparsely covered before the window (50/110)',
      {
        instance: { launchTime: ago('3h') },
        telemetry: telemetry(points(0), { sinceLaunchMax: 0, sinceLaunchCovered: 50 }),
      },
      false,
    ],
    ['never acts when telemetry is missing', { instance: launched45, telemetry: missing() }, false],
    [
      'never acts when telemetry could not be read',
      { instance: launched45, telemetry: failed('x', { points: since45().points }) },
      false,
    ],
    [
      'never acts when the rule is disabled',
      { instance: launched45, telemetry: since45(), config: { neverUsed: { enabled: false } } },
      false,
    ],
    [
      'honours a higher threshold',
      { instance: launched45, telemetry: since45(9), config: { neverUsed: { threshold: 10 } } },
      true,
    ],
  ])('%s', (_, scenario, holds) => {
    expect(neverUsed(context(scenario))?.rule ?? null).toBe(holds ? 'never-used' : null);
  });

  it('explains itself with the numbers', () => {
    const found = neverUsed(context({ instance: launched45, telemetry: since45((i) => (i === 3 ? 1.25 : 0.5)) }));
    expect(found?.reason).toBe(
      "GPU never reached 5% in 45m since launch (max 1.3%; 35/35 min after the agent's first 10m have data, coverage 100%)",
    );
    expect(found?.evidence).toMatchObject({ datapoints: 35, coverage: 1, maxUtilization: 1.25, threshold: 5 });
  });
});
