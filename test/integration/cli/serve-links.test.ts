/**
 * `gpu-reaper serve-links` as an admin runs it (the real bin, a child process) against moto: it prints its URL on
 * stderr, answers the links a `gpu-reaper run` signed for it (GET: the page, nothing changed; POST: kept), logs each
 * answer, and exits 0 on SIGTERM; without the key or a table it exits 2 with one line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeTagsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvName } from '../../../shared/config';
import { drainQueue } from '../../../shared/local/demo-inbox';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { reaperResources } from '../../helpers/reaper-resources';
import { createLinkKey, open, press } from '../owner-actions/owner-fixture';

const moto = useMoto({ threaded: false });
const BIN = fileURLToPath(new URL('../../../bin/gpu-reaper.js', import.meta.url));
const MIN = 60_000;
const work = mkdtempSync(join(tmpdir(), 'gpu-reaper-serve-links-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `gpu-reaper serve-links <args>` in the background; `url` resolves when it says where it listens. */
function serveLinks(args: readonly string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve-links', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      const found = /serving the owner links at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr);
      if (found) resolve(found[1]!);
    });
    void exited.then((code) => reject(new Error(`serve-links exited ${code} before serving: ${stderr}`)));
  });
  return { child, url, exited, stderr: () => stderr };
}

describe('gpu-reaper serve-links', () => {
  let fx: Awaited<ReturnType<typeof reaperResources>>;
  let keyId: string;
  let configFile: string;
  beforeAll(async () => {
    fx = await reaperResources(moto.region, 'serve-links');
    keyId = await createLinkKey(moto.region);
    configFile = join(work, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ mode: 'enforce', regions: [moto.region], auditTable: fx.table, topicArn: fx.topicArn }),
    );
  });

  it('answers the links run signed for it, page first, then the button, and exits 0 on SIGTERM', async () => {
    const launch = Math.floor(Date.now() / MIN) * MIN;
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'carol@example.com' } });
    await putGpuSeries(fx.cloudwatch, id!, minutes(launch, 120, 1));
    const env = { ...process.env, [EnvName.LinkKeyId]: keyId };
    const server = serveLinks(['--config', configFile, '--port', '0'], env);
    let token = '';
    try {
      const url = await server.url;
      expect(server.stderr()).toContain(`${EnvName.OwnerActionUrl}=${url}`);

      const now = new Date(launch + 40 * MIN + 30_000).toISOString();
      const run = await runCli(['run', '--config', configFile, '--now', now, '--json'], {
        ...env,
        [EnvName.OwnerActionUrl]: url,
      });
      expect(run.code).toBe(0);
      const warned = (await drainQueue(fx.sqs, fx.queueUrl)).find((m) => m.event.event === 'WARNED')!;
      const keep = warned.event.links!.find((l) => l.action === 'keep:4h')!.url;
      expect(keep.startsWith(url)).toBe(true);
      token = new URL(keep).searchParams.get('t')!;

      const page = await open(keep);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`Keep ${id} for 4h?`);
      const kept = await press(keep);
      expect(kept.status).toBe(200);
      expect(await kept.text()).toContain('Kept until');
      const tags = await fx.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id!] }] }));
      expect(tags.Tags?.some((t) => t.Key === 'gpu-reaper:snooze-until')).toBe(true);
      expect((await fx.audit.byInstance(id!)).map((i) => `${i.event}:${i.by}`).sort()).toEqual([
        'CLEARED:owner',
        'SNOOZED:owner',
        'WARNED:reaper',
      ]);
      expect((await press(keep)).status).toBe(410);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    const log = server.stderr();
    expect(log).toMatch(/gpu-reaper: owner link opened instanceId=i-\w+ action=keep:4h tokenId=/);
    expect(log).toMatch(/gpu-reaper: owner action done .*events=/);
    expect(log).toContain('gpu-reaper: warn: owner link refused: used');
    // The token itself is never logged: only its id.
    expect(token.length).toBeGreaterThan(100);
    expect(log).not.toContain(token);
  });

  it('exits 2 with one line without the link key, without a table, or with a table that does not exist', async () => {
    const noKey = { ...process.env };
    delete noKey[EnvName.LinkKeyId];
    const withoutKey = await runCli(['serve-links', '--config', configFile], noKey);
    expect(withoutKey.code).toBe(2);
    expect(withoutKey.stderr).toBe(
      `gpu-reaper: serve-links needs the KMS HMAC key that signs the links: set ${EnvName.LinkKeyId}\n`,
    );

    const env: NodeJS.ProcessEnv = { ...process.env, [EnvName.LinkKeyId]: keyId };
    delete env[EnvName.Table];
    const withoutTable = await runCli(['serve-links'], env);
    expect(withoutTable.code).toBe(2);
    expect(withoutTable.stderr).toBe(
      'gpu-reaper: serve-links needs the table the warnings are in: pass --table NAME or set "auditTable"\n',
    );

    const missing = await runCli(['serve-links', '--config', configFile, '--table', 'no-such-table'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^gpu-reaper: table "no-such-table" not found in us-east-1/);

    const badPort = await runCli(['serve-links', '--config', configFile, '--port', 'http'], env);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toBe(
      'gpu-reaper: --port must be a port number from 0 to 65535 (0: any free port), got "http"\n',
    );
  });
});
