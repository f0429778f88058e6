export * from './account.store';
export * from './checkpoint.store';
export * from './dataset.store';
export * from './stores';
export * from './sweep.store';
export * from './trial.store';
export * from './worker.store';
