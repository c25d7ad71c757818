/**
 * Numbers, percentages and plurals as people read them: one decimal at most, the singular only for exactly one.
 */
import { describe, expect, it } from 'vitest';
import { decimal, percent, plural } from '../../../shared/engine/format';

describe('decimal and percent', () => {
  it.each([
    [1.9975488185882568, '2'],
    [6.5, '6.5'],
    [2.3333, '2.3'],
    [24, '24'],
    [0.04, '0'],
    [-0.04, '0'],
  ])('writes %d as %s', (value, text) => {
    expect(decimal(value)).toBe(text);
    expect(percent(value)).toBe(`${text}%`);
  });
});

describe('plural', () => {
  it.each([
    [1, 'day', '1 day'],
    [2, 'day', '2 days'],
    [0, 'false kill', '0 false kills'],
    [1, 'false kill', '1 false kill'],
    [2, 'false kill', '2 false kills'],
    [1.5, 'hour', '1.5 hours'],
    [1, 'GPU instance', '1 GPU instance'],
  ])('writes %d %s as %s', (count, word, text) => {
    expect(plural(count, word)).toBe(text);
  });

  it('takes an irregular plural', () => {
    expect(plural(3, 'child', 'children')).toBe('3 children');
  });
});
