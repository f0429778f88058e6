export * from './native';
export * from './cuda';
