/**
 * The `prices` key: overrides per instance type and the live switch, validated
 * like every other key, each problem named by its key path.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../../shared/config';
import { configProblems } from '../../helpers/config-refusal';

const problems = configProblems;

describe('prices in config', () => {
  it('defaults to no overrides and no live lookup', () => {
    expect(defaultConfig().prices).toEqual({ overrides: {}, live: false });
  });

  it('takes $/hour overrides per instance type and the live switch', () => {
    const config = parseConfig({ prices: { overrides: { 'p5.48xlarge': 39.8, 'g6e.xlarge': 1.5 }, live: true } });
    expect(config.prices).toEqual({ overrides: { 'p5.48xlarge': 39.8, 'g6e.xlarge': 1.5 }, live: true });
  });

  it('rejects every bad value at once, each with its key path', () => {
    expect(
      problems({ prices: { overrides: { G5: 1, 'g5.xlarge': 0, 'g5.2xlarge': '1.2' }, live: 'yes', refresh: '1d' } }),
    ).toEqual([
      'prices.overrides.G5: must be an instance type such as g5.xlarge (got the key "G5")',
      'prices.overrides.g5.xlarge: must be a price in USD per hour above 0 (got 0)',
      'prices.overrides.g5.2xlarge: must be a number (got "1.2")',
      'prices.live: must be true or false (got "yes")',
      'prices.refresh: unknown key (allowed: overrides, live)',
    ]);
  });
});
