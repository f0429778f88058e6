import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SweepDto } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { adminFetch, recordingsCsv, sweepCount } from '@tuneforge/testing';
import { aCsv } from './support/datasets';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

describe('datasets API', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let stores: Stores;

  const postCsv = (csv: string, query = '') =>
    adminFetch(`${coordinator.baseUrl}/api/v1/datasets${query}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as any,
    }));
  const datasetCount = async () => (await stores.datasets.list('all')).length;

  before(async () => {
    coordinator = await startTestCoordinator('datasets');
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
  });
  after(() => coordinator.close());

  it('stores a CSV sent as text/csv, typing its columns', async () => {
    const { status, body } = await postCsv(aCsv(), '?name=shop-sales');
    assert.equal(status, 201);
    assert.equal(body.name, 'shop-sales');
    assert.equal(body.rowCount, 60);
    assert.deepEqual(body.columns, [
      { name: 'date', type: 'time' },
      { name: 'sales', type: 'number' },
      { name: 'temperature', type: 'number' },
    ]);
    assert.match(body.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual((await api.get(`/api/v1/datasets/${body.id}`)).body, body);
  });

  it('stores a CSV sent as multipart/form-data', async () => {
    const form = new FormData();
    form.append('file', new Blob([aCsv(30)], { type: 'text/csv' }), 'sales.csv');
    const response = await adminFetch(`${coordinator.baseUrl}/api/v1/datasets?name=multipart`, { method: 'POST', body: form });
    assert.equal(response.status, 201);
    assert.equal(((await response.json()) as { rowCount: number }).rowCount, 30);
  });

  const bad: [string, string, RegExp][] = [
    ['an empty file', '', /empty/],
    ['a ragged row', 'date,sales\n2024-01-01,1\n2024-01-02,2,3\n', /line 3.*different number of cells/],
    ['a non-numeric cell', aCsv(20).replace(/\n(2024-01-05),[0-9.]+,/, '\n$1,lots,'), /line 6, column 'sales'.*'lots' is not a number/],
    ['rows out of time order', aCsv(20).replace('2024-01-03', '2023-12-25'), /line 4, column 'date'.*time order/],
    ['no header row', '1,2\n3,4\n', /header/],
    ['too few rows', aCsv(5), /5 data rows; at least 10/],
  ];
  for (const [what, csv, message] of bad) {
    it(`answers 400 for ${what}, naming where, and stores nothing`, async () => {
      const before = await datasetCount();
      const { status, body } = await postCsv(csv);
      assert.equal(status, 400);
      const text = body.issues.map((i: { path: string; message: string }) => `${i.path.replace(/\./g, ', ')}: ${i.message}`).join('\n');
      assert.match(text, message);
      assert.equal(await datasetCount(), before);
    });
  }

  it('answers 413 for a file over 10 MB', async () => {
    const { status } = await postCsv('a,b\n' + '1,2\n'.repeat(3_000_000));
    assert.equal(status, 413);
  });

  it('answers 400 when neither text/csv nor a file was sent', async () => {
    const { status, body } = await api.post('/api/v1/datasets', { csv: 'a,b' });
    assert.equal(status, 400);
    assert.match(body.issues[0].message, /text\/csv/);
  });

  describe('sweeps on an uploaded dataset', () => {
    let datasetId: string;
    before(async () => {
      datasetId = (await postCsv(aCsv(60))).body.id;
    });
    const uploadSweep = (dataset: Record<string, unknown>) =>
      aSweepSpec({ dataset: { source: 'upload', id: datasetId, target: 'sales', features: ['temperature'], window: 7, horizon: 1, ...dataset } as never });

    it('accepts a sweep naming the dataset, its target and features', async () => {
      const { status, body } = await api.post<SweepDto>('/api/v1/sweeps', uploadSweep({}));
      assert.equal(status, 201, JSON.stringify(body));
      const trial = (await coordinator.client.listTrials({ id: body.id })).items[0];
      assert.deepEqual(trial.config.dataset, { source: 'upload', task: 'forecast', id: datasetId, target: 'sales', features: ['temperature'], window: 7, horizon: 1, output: 'seasonal-difference', validationSplit: 0.2, testSplit: 0.1 });
    });

    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['an unknown dataset', { id: '0b7e1c7e-0000-4000-8000-000000000000' }, 'dataset.id', /no uploaded dataset/],
      ['a target that is not a numeric column', { target: 'date' }, 'dataset.target', /'date' is not a numeric column/],
      ['an unknown feature', { features: ['rain'] }, 'dataset.features.0', /'rain' is not a numeric column/],
      ['a window too long for the rows', { window: { type: 'int', min: 7, max: 50 } }, 'dataset.window', /60 rows are too few for window 50/],
    ];
    for (const [what, change, path, message] of cases) {
      it(`answers 400 for ${what}`, async () => {
        const { status, body } = await api.post('/api/v1/sweeps', uploadSweep(change));
        assert.equal(status, 400);
        assert.ok(body.issues.some((i: { path: string; message: string }) => i.path === path && message.test(i.message)), JSON.stringify(body.issues));
      });
    }
  });

  describe('classification sweeps on an uploaded table', () => {
    /** Messages by turns ham and spam; `edit` changes their [text, label] cells. */
    const messages = (edit: (rows: string[][]) => void = () => undefined) => {
      const rows = Array.from({ length: 40 }, (_, i) => [`message ${i} about ${i % 2 ? 'a prize' : 'lunch'}`, i % 2 ? 'spam' : 'ham']);
      edit(rows);
      return ['body,label', ...rows.map((r) => r.join(','))].join('\n');
    };
    const classifySweep = (id: string, dataset: Record<string, unknown> = {}) =>
      aSweepSpec({
        name: 'classify-upload',
        dataset: { source: 'upload', task: 'classify', id, label: 'label', text: 'body', maxLength: 40, ...dataset } as never,
        objective: { metric: 'val_accuracy', direction: 'maximize' },
        budget: { maxTrials: 2, maxConcurrent: 1, maxEpochsPerTrial: 2 },
      });
    let textsId: string;
    let recordingsId: string;
    before(async () => {
      textsId = (await postCsv(messages(), '?name=messages')).body.id;
      recordingsId = (await postCsv(recordingsCsv(30), '?name=recordings')).body.id;
    });

    it('types a text table and accepts sweeps on texts, on sequence ids and on windows', async () => {
      assert.deepEqual((await api.get(`/api/v1/datasets/${recordingsId}`)).body.columns.map((c: { type: string }) => c.type), ['text', 'number', 'number', 'number', 'text']);
      for (const dataset of [
        { id: textsId },
        { id: recordingsId, label: 'activity', text: undefined, features: ['x', 'y'], sequence: 'recording', maxLength: 12 },
        { id: recordingsId, label: 'activity', text: undefined, features: ['x'], window: 6 },
      ]) {
        const { status, body } = await api.post<SweepDto>('/api/v1/sweeps', classifySweep(dataset.id, dataset));
        assert.equal(status, 201, JSON.stringify(body));
        const trial = (await coordinator.client.listTrials({ id: body.id })).items[0];
        assert.equal(trial.config.dataset.task, 'classify');
      }
    });

    const cases: [string, () => string | undefined, Record<string, unknown>, string, RegExp][] = [
      ['one class', () => messages((rows) => rows.forEach((row) => (row[1] = 'ham'))), {}, 'dataset.label', /column 'label', holds one class \('ham'\)/],
      ['a missing label', () => messages((rows) => (rows[6][1] = '')), {}, 'dataset.label', /^line 8, column 'label', the label is missing$/],
      ['a label no training row has', () => messages((rows) => (rows[2][1] = 'phishing')), {}, 'dataset.label', /^line 4, column 'label', class 'phishing' is in the (validation|test) split but in no training sample/],
      ['a text longer than maxLength', () => messages((rows) => (rows[3][0] = 'x'.repeat(41))), {}, 'dataset.text', /^line 5, column 'body', the text has 41 characters, more than maxLength 40$/],
      ['a number in the text column', () => messages((rows) => (rows[9][0] = '2024')), {}, 'dataset.text', /^line 11, column 'body', '2024' is a number, not text$/],
      ['a sequence longer than maxLength', () => undefined, { label: 'activity', text: undefined, features: ['x'], sequence: 'recording', maxLength: 10 }, 'dataset.sequence', /^line 12, column 'recording', sequence 'rec-0' is longer than maxLength 10 rows$/],
      ['a sequence whose rows disagree on its label', () => recordingsCsv(30).replace('rec-1,3,', 'rec-1,3,').replace(/(rec-1,5,[^,]+,[^,]+,)\w+/, '$1idle-or-not'), { label: 'activity', text: undefined, features: ['x'], sequence: 'recording', maxLength: 12 }, 'dataset.label', /^line 19, column 'activity', sequence 'rec-1' is labelled '\w+' on line 14 and 'idle-or-not' here/],
      ['a text feature', () => undefined, { label: 'activity', text: undefined, features: ['recording'], window: 4 }, 'dataset.features.0', /column 'recording', is a text column; features must be numbers/],
      ['both a text and features', () => messages(), { features: ['x'] }, 'dataset.features', /give either text .* or features/],
      ['features without a sequence or window', () => undefined, { label: 'activity', text: undefined, features: ['x'] }, 'dataset.window', /by a sequence id column \(sequence\) or by windows of rows \(window\): give exactly one/],
      ['the label as a feature', () => undefined, { label: 'x', text: undefined, features: ['x'], window: 4 }, 'dataset.features.0', /'x' is the label column; a model cannot read its own answer/],
    ];
    for (const [what, csv, change, path, message] of cases) {
      it(`answers 400 for ${what}, naming where, and creates no sweep`, async () => {
        const text = csv();
        const id = text === undefined ? recordingsId : (await postCsv(text)).body.id;
        const before = await sweepCount(stores);
        const { status, body } = await api.post('/api/v1/sweeps', classifySweep(id, change));
        assert.equal(status, 400, JSON.stringify(body));
        assert.ok(body.issues.some((i: { path: string; message: string }) => i.path === path && message.test(i.message)), JSON.stringify(body.issues));
        assert.equal(await sweepCount(stores), before);
      });
    }
  });
});
