/**
 * Config at synth: infra/app.ts reads the config path from context (default in cdk.json, `-c config=…` overrides),
 * and an invalid file fails the synth with one line naming the key path, exit code 2. Through the CDK CLI itself:
 * cdk-cli-synth.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/gpu-reaper';
import { defaultConfig } from '../../shared/config';

const work = mkdtempSync(join(tmpdir(), 'gpu-reaper-app-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

/** Runs infra/app.ts the way the CDK CLI does: context in CDK_CONTEXT_JSON, output in CDK_OUTDIR. */
function runApp(context: Record<string, unknown>, outdir: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson.context, ...context }),
      CDK_OUTDIR: outdir,
    },
  });
}

function configFile(name: string, content: unknown): string {
  const path = join(work, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('infra/app.ts', () => {
  it('runs with tsx and reads config/gpu-reaper.json by default', () => {
    expect(cdkJson.app).toBe('npx tsx infra/app.ts');
    expect(cdkJson.context.config).toBe('config/gpu-reaper.json');
    const outdir = join(work, 'default');
    // Bundling is skipped here: this test is about the config; bundling has tests of its own.
    const result = runApp({ 'aws:cdk:bundling-stacks': [] }, outdir);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'GpuReaper.template.json'), 'utf8'));
    type LambdaResource = { Type: string; Properties: { Environment: { Variables: Record<string, string> } } };
    const fn = Object.values(template.Resources as Record<string, LambdaResource>).find(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    const config = JSON.parse(fn?.Properties.Environment.Variables.GPU_REAPER_CONFIG ?? '{}');
    expect(config.mode).toBe('dry-run');
    expect(config.schedule).toBe('rate(5 minutes)');
  });

  it('ships a default file that reads every default telemetry source, as the deployed Lambda gets it', () => {
    const outdir = join(work, 'shipped');
    const result = runApp({ 'aws:cdk:bundling-stacks': [] }, outdir);
    expect(result.status).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'GpuReaper.template.json'), 'utf8'));
    type LambdaResource = { Type: string; Properties: { Environment?: { Variables: Record<string, string> } } };
    const configs = Object.values(template.Resources as Record<string, LambdaResource>)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => resource.Properties.Environment?.Variables.GPU_REAPER_CONFIG)
      .filter((json): json is string => json !== undefined)
      .map((json) => JSON.parse(json) as { metrics: { sources: unknown } });
    // The reaper, the digest and the owner-action endpoint: each reads both the agent's and gpumon's metric.
    expect(configs.length).toBeGreaterThanOrEqual(2);
    for (const config of configs) {
      expect(config.metrics.sources).toEqual([
        { namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' },
        { namespace: 'DeepLearningTrain', metric: 'GPU Usage' },
      ]);
      expect(config.metrics.sources).toEqual(defaultConfig().metrics.sources);
    }
  });

  it('takes -c config=PATH over the default, and fails with exit 2 and one line naming every bad key path', () => {
    const path = configFile('bad.json', { idle: { threshold: 150 }, schedul: 'rate(5 minutes)' });
    const outdir = join(work, 'bad');
    const result = runApp({ config: path }, outdir);
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gpu-reaper: invalid config in .*bad\.json: /);
    expect(lines[0]).toContain('idle.threshold');
    expect(lines[0]).toContain('schedul: unknown key');
    expect(existsSync(join(outdir, 'GpuReaper.template.json'))).toBe(false);
  });

  it('fails the same way for a file that is missing or not JSON', () => {
    const missing = runApp({ config: join(work, 'nope.json') }, join(work, 'missing'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: \(root\): cannot read file \(ENOENT\)/);
    const notJson = runApp({ config: configFile('broken.json', '{ "mode": ') }, join(work, 'broken'));
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toMatch(/broken\.json: \(root\): not valid JSON/);
  });
});
