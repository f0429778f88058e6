export * from './classifier';
export * from './forecast-rows';
export * from './forecaster';
export * from './model-bundle.loader';
export * from './predict-errors';
export * from './text-model';
