/**
 * `gpu-reaper plan`: one read-only pass. Writes nothing anywhere.
 *
 * @example npx gpu-reaper plan --region us-east-1 --json
 */
import { createRegionClients } from '../shared/adapters/clients';
import { planPass } from '../shared/pass/plan-pass';
import { awsRegionReader } from '../shared/pass/region-reader';
import { renderDecisionTable } from '../shared/render/decision-table';
import { passDocument } from '../shared/render/pass-document';
import { type PassFlags, passContext } from './pass-context';
import { outcomeExitCode } from './pass-exit';

/** Flags of `plan`. */
interface PlanFlags extends PassFlags {
  readonly json?: boolean;
}

/** Runs `plan` and returns the exit code. */
async function planCommand(flags: PlanFlags): Promise<number> {
  const { config, now, regions } = await passContext(flags);
  const readers = regions.map((region) => awsRegionReader(region, createRegionClients(region), config));
  const result = await planPass({ config, now, readers });
  process.stdout.write(
    flags.json ? `${JSON.stringify(passDocument(result), null, 2)}\n` : `${renderDecisionTable(result)}\n`,
  );
  return outcomeExitCode(result);
}

export { planCommand };
