export * from './app-config';
export * from './config.module';
export { DB_TYPES, EnvironmentVariables, LOG_LEVELS, NODE_ENVS } from './environment';
export type { DbType, LogLevel, NodeEnv } from './environment';
