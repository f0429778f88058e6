// A user's program, run as a fresh Node process by model-export.e2e.spec.ts: it imports only TensorFlow.js
// and @tuneforge/predict, loads an exported model (URL or folder), forecasts every window of a CSV file's raw
// rows and writes the forecasts, the model's metadata and which workspace libs it loaded as JSON.
// Usage: node -r ./tools/register.js test/support/predict-windows.ts <model-url-or-dir> <rows.csv> <out.json>
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { loadForecaster } from '@tuneforge/predict';

async function main(): Promise<void> {
  const [source, csvFile, outFile] = process.argv.slice(2);
  tf.env().set('PROD', true);
  const forecaster = await loadForecaster(source);
  const forecasts = await forecaster.predictAll(forecaster.readCsv(readFileSync(csvFile, 'utf8')));
  const libs = new Set(Object.keys(require.cache).flatMap((path) => /\/libs\/([^/]+)\/src\//.exec(path)?.[1] ?? []));
  writeFileSync(
    outFile,
    JSON.stringify({ backend: tf.getBackend(), metadata: forecaster.metadata, libs: [...libs].sort(), forecasts: forecasts.map((f) => ({ start: f.start, values: f.values })) }),
  );
  forecaster.dispose();
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
