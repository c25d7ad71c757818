export { formatDuration, parseDuration } from './durations';
export { EnvName } from './env-names';
export { configHash, loadConfigFile, loadConfigText } from './load';
export type { Config, ConfigInput } from './schema';
export { configSchema, defaultConfig, parseConfig } from './schema';
export { AuditTableDesign } from './audit-table';
export { ReaperMetrics } from './metric-names';
