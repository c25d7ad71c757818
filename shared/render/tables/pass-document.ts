/**
 * The pass as its JSON document (`plan --json`, `run --json`, the Lambda's result).
 */
import type { Decision } from '../../engine';
import { summarize } from '../../engine';
import type { PassResult } from '../../pass/types';

/**
 * One decision as it appears in the JSON output: the documented fields plus `hourlyUsd` (the evidence carries
 * `idleMinutes` and `idleUsd`), and the tag problems when there are any.
 */
function decisionDocument(decision: Decision) {
  return {
    instanceId: decision.instanceId,
    accountId: decision.accountId,
    region: decision.region,
    instanceType: decision.instanceType,
    owner: decision.owner,
    outcome: decision.outcome,
    rule: decision.rule,
    action: decision.action,
    executed: decision.executed,
    actAt: decision.actAt,
    reason: decision.reason,
    hourlyUsd: decision.hourlyUsd,
    evidence: decision.evidence,
    ...(decision.tagProblems.length > 0 ? { tagProblems: decision.tagProblems } : {}),
  };
}

/**
 * The pass document. `regionErrors` is present only when a region could not be scanned, and each such region
 * counts in `summary.errors`.
 */
function passDocument(result: PassResult) {
  return {
    passId: result.passId,
    mode: result.mode,
    now: result.now.toISOString(),
    regions: [...result.regions],
    decisions: result.decisions.map(decisionDocument),
    summary: summarize(result.decisions, result.regionFailures.length),
    ...(result.regionFailures.length > 0 ? { regionErrors: [...result.regionFailures] } : {}),
    ...(result.telemetryBrake ? { telemetryBrake: true } : {}),
    unmatchedSeries: result.unmatchedSeries ?? 0,
  };
}

export { decisionDocument, passDocument };
