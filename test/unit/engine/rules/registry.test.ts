import { describe, expect, it } from 'vitest';
import { RULES, SERVICE_TAG_KEYS } from '../../../../shared/engine';

describe('the rule registry', () => {
  it('runs the rules in their documented priority order', () => {
    expect(RULES.map((rule) => rule.name)).toEqual([
      'unapproved',
      'opt-out',
      'managed-by-service',
      'managed-by-asg',
      'expired',
      'max-runtime',
      'snoozed',
      'never-used',
      'idle',
      'no-telemetry',
      'gpu-idle-host-busy',
    ]);
  });

  it('keeps every managing-service tag key in one list', () => {
    expect(SERVICE_TAG_KEYS).toContain('eks:cluster-name');
    expect(SERVICE_TAG_KEYS).toContain('kubernetes.io/cluster/');
    expect(SERVICE_TAG_KEYS).toHaveLength(12);
  });
});
