export * from './api';
export * from './hyperparameters';
export * from './parse-sweep-spec';
export * from './queue';
export * from './search-space.schema';
export * from './sweep-spec.schema';
export * from './trial-config';
export * from './validation-issue';
