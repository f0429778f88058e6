export * from './best-first';
export * from './curve.read-model';
export * from './live-changes.query';
export * from './sweep.read-model';
export * from './trial.read-model';
export * from './status-counts.query';
