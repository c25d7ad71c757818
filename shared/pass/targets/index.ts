export type { CombinedPasses, TargetStatus } from './combine-targets';
export { combineTargets } from './combine-targets';
export type { TargetEdges, TargetResult } from './run-target';
export { runTargetPass, runTargetPasses } from './run-target';
export type { Target, TargetDeps, TargetFilter } from './target';
export { resolveTargets } from './target';
export { targetConfig } from './target-config';
export type { AssumeRoleSettings } from './target-credentials';
export { partitionOf, ROLE_SESSION_NAME, spokeCredentials, spokeRoleArn } from './target-credentials';
