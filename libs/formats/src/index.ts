export * from './checkpoint-container';
export * from './csv-table';
export * from './windowing';
