export * from './checkpoint-container';
export * from './csv-table';
export * from './labelled-samples';
export * from './model-bundle';
export * from './series-encoding';
export * from './windowing';
