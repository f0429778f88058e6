export * from './app-logger';
export * from './log-context';
export * from './log-settings';
export * from './process-logging';
export * from './third-party-output';
