/**
 * `gpu-reaper plan`: one read-only pass. Writes nothing anywhere: pending warnings are read from the state table
 * when `auditTable` is configured, else from the instances' `warned` tags. With `accounts` in the config, one pass per
 * account × region (see targets-pass.ts).
 *
 * @example npx gpu-reaper plan --region us-east-1 --json
 */
import { composePrices, composeRegions, composeTable } from '../shared/pass/compose';
import { planPass } from '../shared/pass/plan-pass';
import { regionFailureLines, renderDecisionTable } from '../shared/render/tables/decision-table';
import { passDocument } from '../shared/render/tables/pass-document';
import { homeRegionOf, type PassFlags, passContext } from './pass-context';
import { outcomeExitCode } from './pass-exit';
import { onTable, TABLE_PROBE } from './table-check';
import { targetsCommand } from './targets-pass';

/** Flags of `plan`. */
interface PlanFlags extends PassFlags {
  readonly json?: boolean;
}

/** Runs `plan` and returns the exit code. */
async function planCommand(flags: PlanFlags): Promise<number> {
  const { config, now, regions, accounts } = await passContext(flags);
  const homeRegion = homeRegionOf(regions);
  if (config.accounts) {
    const table = config.auditTable;
    const invocation = { mode: 'plan', config, now, homeRegion, table, topicArn: null, accounts } as const;
    return targetsCommand({ ...invocation, regions: flags.region ?? [], json: flags.json === true });
  }
  const edges = { config, regions, homeRegion, table: config.auditTable, topicArn: null };
  const { readers } = composeRegions(edges);
  const tables = config.auditTable ? composeTable(edges, config.auditTable) : undefined;
  const store = tables?.store;
  if (store && config.auditTable) await onTable(config.auditTable, homeRegion, () => store.load([TABLE_PROBE]));
  const problems: string[] = [];
  const onProblem = (message: string, error: unknown) =>
    problems.push(`${message}: ${(error as Error).message}`.replace(/\s*\n\s*/g, ' '));
  const livePrices = composePrices(edges, onProblem);
  const ledger = tables?.ledger;
  const result = await planPass({
    config,
    now,
    readers,
    ...(store ? { store } : {}),
    ...(ledger ? { ledger } : {}),
    livePrices,
    onProblem,
  });
  process.stdout.write(
    flags.json ? `${JSON.stringify(passDocument(result), null, 2)}\n` : `${renderDecisionTable(result)}\n`,
  );
  // No region reachable (exit 3) is one line that names every region, in place of the lines below.
  const exitCode = outcomeExitCode(result);
  // The table says which regions were not scanned; the JSON document keeps stdout to itself, so stderr does.
  const notScanned = flags.json ? regionFailureLines(result) : [];
  for (const problem of [...notScanned, ...problems]) process.stderr.write(`gpu-reaper: ${problem}\n`);
  return exitCode;
}

export { planCommand };
