import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TextPreprocessing } from '@tuneforge/formats';
import { loadForecaster } from './forecaster';
import { ModelBundleError, PredictInputError } from './predict-errors';
import { loadTextModel, type TextModel } from './text-model';
import { tinyModel, writeBundle } from './tiny-bundle.fixture';

const preprocessing: TextPreprocessing = { task: 'text', window: 6, vocabulary: [' ', '.', 'a', 'b', 'c', 'é'] };

describe(loadTextModel.name, () => {
  const root = mkdtempSync(join(tmpdir(), 'tuneforge-text-'));
  const model = tinyModel(preprocessing);
  let dir: string;
  let sut: TextModel;

  before(async () => {
    dir = await writeBundle(join(root, 'text'), model, preprocessing);
    sut = await loadTextModel(dir);
  });
  after(() => {
    sut?.dispose();
    model.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('generates the same text for the same seed, from the vocabulary only', async () => {
    const first = await sut.generate('abc ab', { chars: 40, seed: 5 });
    assert.equal(first.length, 40);
    assert.ok([...first].every((ch) => preprocessing.vocabulary.includes(ch)), first);
    assert.equal(await sut.generate('abc ab', { chars: 40, seed: 5 }), first);
    const others = await Promise.all([6, 7, 8].map((seed) => sut.generate('abc ab', { chars: 40, seed })));
    assert.ok(others.some((text) => text !== first), 'another seed samples other text');
  });

  it('takes the likeliest character at temperature 0, whatever the seed', async () => {
    const greedy = await sut.generate('cab', { chars: 20, temperature: 0, seed: 1 });
    assert.equal(await sut.generate('cab', { chars: 20, temperature: 0, seed: 99 }), greedy);
  });

  it('reads only the last window of a long prompt, and pads a short one with spaces', async () => {
    assert.equal(await sut.generate('ccccccccab.abc', { chars: 15, seed: 2 }), await sut.generate('ab.abc', { chars: 15, seed: 2 }));
    assert.equal(await sut.generate('ab', { chars: 15, seed: 2 }), await sut.generate('    ab', { chars: 15, seed: 2 }));
    assert.equal((await sut.generate('', { chars: 3 })).length, 3);
  });

  it('refuses a prompt character outside the vocabulary, naming it and its position', async () => {
    await assert.rejects(sut.generate('abXc'), (error) => error instanceof PredictInputError && error.message === `character 3 of the prompt, "X" (U+0058), is not in the model's vocabulary of 6 characters`);
    await assert.rejects(sut.generate('ab\nc'), /character 3 of the prompt, "\\n" \(U\+000A\)/);
  });

  it('refuses bad options', async () => {
    await assert.rejects(sut.generate('ab', { chars: -1 }), /chars must be a whole number from 0 to 100000, not -1/);
    await assert.rejects(sut.generate('ab', { temperature: -0.5 }), /temperature must be a number of at least 0, not -0.5/);
    await assert.rejects(sut.generate('ab', { seed: 1.5 }), /seed must be a whole number/);
  });

  it('refuses a short prompt when the vocabulary has no space, and a forecaster refuses a text model', async () => {
    const noSpace: TextPreprocessing = { task: 'text', window: 4, vocabulary: ['a', 'b'] };
    const other = tinyModel(noSpace);
    const at = await writeBundle(join(root, 'no-space'), other, noSpace);
    const textModel = await loadTextModel(at);
    try {
      await assert.rejects(textModel.generate('ab'), /the prompt has 2 characters; this model reads 4 and its vocabulary has no space to pad with/);
      assert.equal((await textModel.generate('abab', { chars: 4 })).length, 4);
    } finally {
      textModel.dispose();
      other.dispose();
    }
    await assert.rejects(loadForecaster(dir), (error) => error instanceof ModelBundleError && /is a text model, not a forecast model; use loadTextModel/.test(error.message));
  });
});
