// Support for tests and benchmarks only: real PostgreSQL/Redis servers and databases of their own.
export * from './private-services';
export * from './test-database';
export * from './processes';
export * from './factories';
export * from './sweep-specs';
export * from './test-stores';
export * from './auth';
export * from './prometheus-text';
export * from './labelled-csv';
