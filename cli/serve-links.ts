/**
 * `gpu-reaper serve-links`: the owner-action endpoint on loopback, the very handler the Lambda Function URL serves,
 * so an admin can try the links locally. It answers the links `run` signs when `GPU_REAPER_LINK_KEY_ID` names the
 * KMS HMAC key and `GPU_REAPER_OWNER_ACTION_URL` points at this server; it serves until SIGINT or SIGTERM.
 *
 * @example GPU_REAPER_LINK_KEY_ID=alias/gpu-reaper-links npx gpu-reaper serve-links --table gpu-reaper-audit --port 8787
 */
import { EnvName, loadConfigFile } from '../shared/config';
import { UsageError } from '../shared/errors';
import { type OwnerActionServer, startOwnerActionServer } from '../shared/local/owner-action-server';
import { composeOwnerActions } from '../shared/owner-actions/compose';
import type { OwnerActionLog } from '../shared/owner-actions/ports';
import { ExitCode } from './exit-codes';
import { homeRegionOf, resolveRegions } from './pass-context';
import { onTable, TABLE_PROBE } from './table-check';

/** Flags of `serve-links`. */
interface ServeLinksFlags {
  readonly config?: string;
  readonly port?: string;
  readonly table?: string;
}

/** The port served when `--port` is not given; `--port 0` picks a free one. */
const DEFAULT_PORT = 8787;

/** Parses `--port`: a whole number from 0 to 65535. */
function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65_535) {
    throw new UsageError(`--port must be a port number from 0 to 65535 (0: any free port), got "${text}"`);
  }
  return port;
}

/** One stderr line per request: what the endpoint logged, with the token's id and instance (never the token). */
function stderrLog(): OwnerActionLog {
  const write =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) => {
      const details = ['instanceId', 'action', 'tokenId', 'refusal', 'outcome', 'events', 'error']
        .filter((key) => attributes[key] !== undefined)
        .map((key) => `${key}=${String(attributes[key])}`);
      process.stderr.write(`gpu-reaper: ${level === 'info' ? '' : `${level}: `}${[message, ...details].join(' ')}\n`);
    };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Starts the server on 127.0.0.1; a port in use is a usage error (exit 2), not a crash. */
async function listen(deps: Parameters<typeof startOwnerActionServer>[0], port: number): Promise<OwnerActionServer> {
  try {
    return await startOwnerActionServer(deps, { port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`port ${port} is in use on 127.0.0.1: pass another --port (0 picks a free one)`);
    }
    throw error;
  }
}

/** Serves the owner links until SIGINT or SIGTERM, then returns 0. */
async function serveLinksCommand(flags: ServeLinksFlags): Promise<number> {
  const config = loadConfigFile(flags.config);
  const port = parsePort(flags.port);
  const table = flags.table ?? config.auditTable ?? process.env[EnvName.Table] ?? null;
  if (!table) {
    throw new UsageError('serve-links needs the table the warnings are in: pass --table NAME or set "auditTable"');
  }
  const keyId = process.env[EnvName.LinkKeyId];
  if (!keyId) {
    throw new UsageError(`serve-links needs the KMS HMAC key that signs the links: set ${EnvName.LinkKeyId}`);
  }
  const homeRegion = homeRegionOf(await resolveRegions(undefined, config));
  const deps = composeOwnerActions({
    config,
    homeRegion,
    table,
    topicArn: config.topicArn ?? process.env[EnvName.TopicArn] ?? null,
    chatTopicArn: process.env[EnvName.ChatTopicArn] ?? null,
    keyId,
    log: stderrLog(),
  });
  // Before serving: a missing table is a setup mistake (exit 2), not a page that fails on every click.
  await onTable(table, homeRegion, () => deps.ledger.isUsed(TABLE_PROBE, 'table-check'));
  const server = await listen(deps, port);
  const signal = untilSignal();
  process.stderr.write(
    `gpu-reaper: serving the owner links at ${server.url} (table ${table}, mode ${config.mode}); ` +
      `run signs links for it with ${EnvName.OwnerActionUrl}=${server.url}; Ctrl-C stops\n`,
  );
  await signal;
  await server.stop();
  return ExitCode.Done;
}

export { parsePort, serveLinksCommand };
