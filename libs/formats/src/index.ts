export * from './checkpoint-container';
export * from './csv-table';
export * from './model-bundle';
export * from './series-encoding';
export * from './windowing';
