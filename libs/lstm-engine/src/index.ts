export * from './native';
