export { AuditTableDesign } from './audit-table';
export { formatDuration, parseDuration } from './durations';
export { EnvName } from './env-names';
export { configFromEnvironment, requiredEnv } from './lambda-environment';
export { configHash, loadConfigFile, loadConfigText } from './load';
export { ReaperMetrics } from './metric-names';
export { RoleSessionName } from './role-sessions';
export type { Config, ConfigInput } from './schema';
export { configSchema, defaultConfig, parseConfig } from './schema';
