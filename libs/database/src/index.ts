export * from './data-source-options';
export * from './ensure-database';
export * from './replica-reads';
export * from './run-migrations';
export * from './transaction-runner';
export * from './typeorm-logger';
export * from './columns';
