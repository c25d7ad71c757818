/**
 * Fault injection from tests: the same layer the benchmark can use (shared/local/fault-injector.ts).
 */
export type { CommandOutput, FaultKind } from '../../shared/local/fault-answers';
export { faultError, malformed } from '../../shared/local/fault-answers';
export type { FaultRule, InjectedFault } from '../../shared/local/fault-injector';
export { delayPerQuery, FaultInjector, inputMentions } from '../../shared/local/fault-injector';
