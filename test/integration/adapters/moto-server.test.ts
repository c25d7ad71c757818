/**
 * The local moto launcher: it answers, resets, stops, and never outlives the process that started it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { localAwsEnv, startMotoServer } from '../../../shared/local/moto-server';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntilGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return false;
}

describe('startMotoServer', () => {
  it('starts on a free loopback port, resets, and stops for good', async () => {
    const moto = await startMotoServer();
    try {
      expect(moto.endpoint).toBe(`http://127.0.0.1:${moto.port}`);
      const ec2 = new EC2Client({
        region: 'us-east-1',
        endpoint: moto.endpoint,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
      await ec2.send(
        new RunInstancesCommand({ ImageId: 'ami-12c6146b', InstanceType: 'g5.xlarge', MinCount: 1, MaxCount: 1 }),
      );
      const instances = async () =>
        ((await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as { ec2?: { Instance?: unknown[] } }).ec2
          ?.Instance ?? [];
      expect(await instances()).toHaveLength(1);
      await moto.reset();
      expect(await instances()).toEqual([]);
    } finally {
      await moto.stop();
    }
    expect(alive(moto.pid)).toBe(false);
    await expect(moto.stop()).resolves.toBeUndefined();
  });

  it('gives two servers two ports', async () => {
    const [a, b] = await Promise.all([startMotoServer(), startMotoServer()]);
    await Promise.all([a.stop(), b.stop()]);
    expect(a.port).not.toBe(b.port);
  });

  it('takes its server down when the parent process is killed with SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'moto-parent-'));
    const script = join(dir, 'parent.mts');
    const modulePath = resolve('shared/local/moto-server.ts');
    writeFileSync(
      script,
      `import { startMotoServer } from ${JSON.stringify(modulePath)};\n` +
        'const moto = await startMotoServer();\nconsole.log(JSON.stringify({ pid: moto.pid }));\nsetInterval(() => {}, 1000);\n',
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((done, fail) => {
        parent.stdout.on('data', (chunk: Buffer) => done(chunk.toString()));
        parent.once('exit', (code) => fail(new Error(`parent exited with ${code}`)));
      });
      const { pid } = JSON.parse(line) as { pid: number };
      expect(alive(pid)).toBe(true);

      parent.kill('SIGKILL');

      expect(await waitUntilGone(pid)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes the local environment for the SDK', () => {
    expect(localAwsEnv('http://127.0.0.1:5000', 'eu-west-1')).toEqual({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_DISABLE_REQUEST_COMPRESSION: 'true',
    });
  });
});
