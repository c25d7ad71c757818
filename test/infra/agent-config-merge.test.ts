/**
 * The reaper's agent config is appended to what an instance already runs (`append-config`), so it must merge with a
 * typical instance config without a conflict and without changing the instance's own logs and metrics.
 *
 * A test-side model of how the CloudWatch agent merges its config files, from its source (aws/amazon-cloudwatch-agent):
 * - translator/jsonconfig/mergeJsonConfig.go: files are merged one after the other, through the merge rules that the
 *   top-level sections register (`agent`, `metrics`, `logs`, `traces`, …); a top-level key without a rule is dropped.
 * - translator/jsonconfig/mergeJsonUtil/util.go, `MergeMap`/`mergeMap`: inside a section, a key with a rule of its
 *   own is merged by that rule; any other key is taken when only one file sets it, kept when both set deep-equal
 *   values, and is a conflict ("Different values are specified for <key>") otherwise, which fails the whole merge.
 *   `MergeList`: a list rule appends the entries that are not already there.
 * - The rules registered under translator/translate/: `agent` → `usage_metadata` (list);
 *   `metrics` → `metrics_collected` (section) → `procstat` (list) — every other plugin (`nvidia_gpu`, `mem`, `disk`,
 *   …) and `namespace`, `append_dimensions`, `aggregation_dimensions` are plain keys;
 *   `logs` → `logs_collected` (section) → `files` (section) → `collect_list` (list), and the same for
 *   `windows_events`.
 * (The `jmx`/`otlp` array-or-object keys are left out: neither config here has them.)
 */
import { describe, expect, it } from 'vitest';
import { agentConfigDocument } from '../../infra/constructs/gpu-reaper';

type Json = unknown;
type JsonObject = Record<string, Json>;
/** A merge rule: a section whose keys may have rules of their own, or a list. */
type MergeRule = { readonly section: Readonly<Record<string, MergeRule>> } | 'list';

const section = (rules: Readonly<Record<string, MergeRule>> = {}): MergeRule => ({ section: rules });
const RULES: Readonly<Record<string, MergeRule>> = {
  agent: section({ usage_metadata: 'list' }),
  metrics: section({ metrics_collected: section({ procstat: 'list' }) }),
  logs: section({
    logs_collected: section({
      files: section({ collect_list: 'list' }),
      windows_events: section({ collect_list: 'list' }),
    }),
  }),
  traces: section(),
};

const isObject = (value: Json): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const deepEqual = (a: Json, b: Json) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

/** Merges `source` into `result` by `rules` (a section's keys), collecting the conflicting key paths. */
function mergeSection(
  source: JsonObject,
  result: JsonObject,
  rules: Readonly<Record<string, MergeRule>>,
  path: string,
  conflicts: string[],
) {
  for (const [key, value] of Object.entries(source)) {
    const rule = rules[key];
    if (rule === 'list') {
      const list = Array.isArray(result[key]) ? [...(result[key] as Json[])] : [];
      for (const entry of Array.isArray(value) ? value : []) {
        if (!list.some((existing) => deepEqual(existing, entry))) list.push(entry);
      }
      result[key] = list;
    } else if (rule) {
      if (!isObject(value)) continue;
      const target = isObject(result[key]) ? (result[key] as JsonObject) : {};
      result[key] = target;
      mergeSection(value, target, rule.section, `${path}${key}/`, conflicts);
    } else if (!(key in result)) {
      result[key] = structuredClone(value);
    } else if (!deepEqual(result[key], value)) {
      conflicts.push(`${path}${key}`);
    }
  }
}

/** Merges config files the way the agent does: the merged config and the key paths that conflict. */
function mergeAgentConfigs(...files: readonly JsonObject[]): { merged: JsonObject; conflicts: string[] } {
  const merged: JsonObject = {};
  const conflicts: string[] = [];
  for (const file of files) {
    for (const [key, rule] of Object.entries(RULES)) {
      if (rule !== 'list' && isObject(file[key])) {
        const target = isObject(merged[key]) ? (merged[key] as JsonObject) : {};
        merged[key] = target;
        mergeSection(file[key] as JsonObject, target, rule.section, `/${key}/`, conflicts);
      }
    }
  }
  return { merged, conflicts };
}

/** What the agent's config wizard writes for a Linux instance: logs, memory and disk, EC2 dimensions, a rollup. */
const typicalInstanceConfig = {
  agent: { metrics_collection_interval: 10, run_as_user: 'cwagent' },
  logs: {
    logs_collected: {
      files: {
        collect_list: [
          { file_path: '/var/log/messages', log_group_name: 'messages', log_stream_name: '{instance_id}' },
        ],
      },
    },
  },
  metrics: {
    // biome-ignore-start lint/suspicious/noTemplateCurlyInString: the agent's own placeholders
    append_dimensions: {
      AutoScalingGroupName: '${aws:AutoScalingGroupName}',
      ImageId: '${aws:ImageId}',
      InstanceId: '${aws:InstanceId}',
      InstanceType: '${aws:InstanceType}',
    },
    // biome-ignore-end lint/suspicious/noTemplateCurlyInString: the agent's own placeholders
    aggregation_dimensions: [['InstanceId']],
    metrics_collected: {
      disk: { measurement: ['used_percent'], resources: ['*'], metrics_collection_interval: 10 },
      mem: { measurement: ['mem_used_percent'], metrics_collection_interval: 10 },
      procstat: [{ pattern: 'python', measurement: ['cpu_usage'] }],
    },
  },
} as const satisfies JsonObject;

/** An instance config of another shape: its own namespace is the default, no global dimensions, no agent section. */
const minimalInstanceConfig = {
  metrics: { namespace: 'CWAgent', metrics_collected: { mem: { measurement: ['mem_used_percent'] } } },
} as const satisfies JsonObject;

const fragment = agentConfigDocument('CWAgent') as JsonObject;

describe('the agent config fragment', () => {
  it.each([
    ['a typical instance config', typicalInstanceConfig],
    ['a minimal one', minimalInstanceConfig],
    ['none at all', {}],
  ])('merges with %s without a conflict, in either order', (_name, instanceConfig) => {
    expect(mergeAgentConfigs(instanceConfig, fragment).conflicts).toEqual([]);
    expect(mergeAgentConfigs(fragment, instanceConfig).conflicts).toEqual([]);
  });

  it("keeps the instance's own config as it was, and only adds the nvidia_gpu plugin", () => {
    const { merged } = mergeAgentConfigs(typicalInstanceConfig, fragment);
    const { nvidia_gpu, ...ownPlugins } = (merged.metrics as JsonObject).metrics_collected as JsonObject;
    expect(ownPlugins).toEqual(typicalInstanceConfig.metrics.metrics_collected);
    expect({ ...merged, metrics: { ...(merged.metrics as JsonObject), metrics_collected: ownPlugins } }).toEqual(
      typicalInstanceConfig,
    );
    expect(nvidia_gpu).toEqual(((fragment.metrics as JsonObject).metrics_collected as JsonObject).nvidia_gpu);
  });

  it('sets no global key an instance config may set too: only the nvidia_gpu plugin, with InstanceId on it', () => {
    expect(Object.keys(fragment)).toEqual(['metrics']);
    expect(Object.keys(fragment.metrics as JsonObject)).toEqual(['metrics_collected']);
    const plugins = (fragment.metrics as JsonObject).metrics_collected as JsonObject;
    expect(Object.keys(plugins)).toEqual(['nvidia_gpu']);
    expect((plugins.nvidia_gpu as JsonObject).append_dimensions).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent's own placeholder
      InstanceId: '${aws:InstanceId}',
    });
  });

  it('names a namespace only when it is not the agent default, and then conflicts with a different one', () => {
    const custom = agentConfigDocument('GpuFleet') as JsonObject;
    expect((custom.metrics as JsonObject).namespace).toBe('GpuFleet');
    expect(mergeAgentConfigs(typicalInstanceConfig, custom).conflicts).toEqual([]);
    expect(mergeAgentConfigs(minimalInstanceConfig, custom).conflicts).toEqual(['/metrics/namespace']);
  });

  it('would have conflicted in its former shape (agent interval, global dimensions and rollup): the model is not vacuous', () => {
    const former = {
      agent: { metrics_collection_interval: 60 },
      metrics: {
        namespace: 'CWAgent',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent's own placeholder
        append_dimensions: { InstanceId: '${aws:InstanceId}' },
        aggregation_dimensions: [['InstanceId']],
        metrics_collected: (fragment.metrics as JsonObject).metrics_collected,
      },
    } as JsonObject;
    expect(mergeAgentConfigs(typicalInstanceConfig, former).conflicts).toEqual([
      '/agent/metrics_collection_interval',
      '/metrics/append_dimensions',
    ]);
  });

  it('merges lists by adding what is missing, and a plugin set twice differently conflicts', () => {
    const other = {
      metrics: {
        metrics_collected: {
          procstat: [{ pattern: 'java', measurement: ['cpu_usage'] }],
          mem: { measurement: ['mem_used_percent', 'mem_available'] },
        },
      },
    };
    const { merged, conflicts } = mergeAgentConfigs(typicalInstanceConfig, other);
    expect(((merged.metrics as JsonObject).metrics_collected as JsonObject).procstat).toHaveLength(2);
    expect(conflicts).toEqual(['/metrics/metrics_collected/mem']);
  });
});
