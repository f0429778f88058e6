import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseSweepSpec } from './parse-sweep-spec';
import { assignmentOf, searchDimensionsOf, trialConfigOf } from './trial-config';
import { SpecValidationError, type ValidationIssue } from './validation-issue';

const EXAMPLE_YAML = readFileSync(join(__dirname, '../../../examples/births-lstm.yaml'), 'utf8');

function issuesOf(input: unknown): ValidationIssue[] {
  try {
    parseSweepSpec(input);
  } catch (error) {
    assert.ok(error instanceof SpecValidationError, `expected SpecValidationError, got ${String(error)}`);
    return error.issues;
  }
  assert.fail('the spec was accepted');
}

function withChange(change: (spec: any) => void): any {
  const spec = structuredClone(parseSweepSpec(EXAMPLE_YAML)) as any;
  change(spec);
  return spec;
}

function assertIssue(issues: ValidationIssue[], path: string, message: RegExp): void {
  assert.ok(
    issues.some((issue) => issue.path === path && message.test(issue.message)),
    `no issue at '${path}' matching ${message}; got ${JSON.stringify(issues)}`,
  );
}

describe(parseSweepSpec.name, () => {
  it('reads the example sweep from YAML, and the same spec from JSON, identically', () => {
    const fromYaml = parseSweepSpec(EXAMPLE_YAML);
    assert.deepEqual(parseSweepSpec(JSON.stringify(fromYaml)), fromYaml);
    assert.deepEqual(parseSweepSpec(fromYaml), fromYaml);
    assert.equal(fromYaml.budget.maxTrials, 10);
    assert.deepEqual(fromYaml.searchSpace.layers, { type: 'choice', values: [1, 2] });
  });

  it('lets any dataset or model hyperparameter be fixed or searched', () => {
    const spec = parseSweepSpec(
      withChange((s) => {
        s.dataset.window = { type: 'int', min: 7, max: 56, step: 7 };
        s.searchSpace.hiddenUnits = 48;
        delete s.searchSpace.learningRate;
        s.searchSpace.recurrentDropout = { type: 'float', min: 0, max: 0.3 };
      }),
    );
    assert.deepEqual(Object.keys(searchDimensionsOf(spec)), ['dataset.window', 'layers', 'dropout', 'recurrentDropout', 'batchSize']);
    const config = trialConfigOf(spec, { 'dataset.window': 14, layers: 2, dropout: 0.1, recurrentDropout: 0.2, batchSize: 32 });
    assert.equal(config.dataset.window, 14);
    assert.equal(config.hyperparameters.hiddenUnits, 48);
    assert.equal(config.hyperparameters.learningRate, 0.001, 'unset hyperparameters take their defaults');
    assert.equal(config.checkpointEvery, 2);
    assert.equal(config.maxEpochs, 10);
  });

  it('names each offending field and rule', () => {
    const issues = issuesOf(
      withChange((s) => {
        s.searchSpace.hiddenUnits = { type: 'int', min: 200, max: 100 };
        s.searchSpace.layers = { type: 'choice', values: [] };
        s.algorithm = { type: 'bayes' };
        s.budget.maxTrials = -1;
        s.budget.maxConcurrent = 2.5;
        s.name = 42;
        s.colour = 'blue';
        s.searchSpace.units2 = 3;
      }),
    );
    assertIssue(issues, 'searchSpace.hiddenUnits.min', /min \(200\) must be <= max \(100\)/);
    assertIssue(issues, 'searchSpace.layers.values', /at least one value/);
    assertIssue(issues, 'algorithm.type', /grid.*random.*tpe/);
    assertIssue(issues, 'budget.maxTrials', />=1/);
    assertIssue(issues, 'budget.maxConcurrent', /int/);
    assertIssue(issues, 'name', /string/);
    assertIssue(issues, 'colour', /unknown field/);
    assertIssue(issues, 'searchSpace.units2', /unknown field/);
  });

  it('rejects NaN and Infinity written in YAML', () => {
    const issues = issuesOf(EXAMPLE_YAML.replace('min: 0, max: 0.3', 'min: .nan, max: .inf'));
    assertIssue(issues, 'searchSpace.dropout.min', /NaN/);
    assertIssue(issues, 'searchSpace.dropout.max', /Infinity/);
  });

  it('keeps values inside each hyperparameter domain', () => {
    const issues = issuesOf(
      withChange((s) => {
        s.searchSpace.dropout = { type: 'float', min: 0, max: 1.5 };
        s.searchSpace.layers = { type: 'float', min: 1, max: 2 };
        s.searchSpace.batchSize = { type: 'choice', values: [32, 'big'] };
        s.searchSpace.learningRate = { type: 'float', min: 0, max: 0.1, log: true };
        s.dataset.window = 0.5;
      }),
    );
    assertIssue(issues, 'searchSpace.dropout.max', /outside the allowed range \[0, 0.95\]/);
    assertIssue(issues, 'searchSpace.layers.type', /must be 'int' or 'choice'/);
    assertIssue(issues, 'searchSpace.batchSize.values.1', /must be a number/);
    assertIssue(issues, 'searchSpace.learningRate.min', /log-scaled dimension needs min > 0/);
    assertIssue(issues, 'dataset.window', /expected an integer or a search dimension/);
  });

  it('holds out a test split by default, and checks the splits and the output it is given', () => {
    const spec = parseSweepSpec(EXAMPLE_YAML);
    assert.deepEqual([spec.dataset.validationSplit, (spec.dataset as { testSplit: number }).testSplit, (spec.dataset as { output?: string }).output], [0.2, 0.1, 'seasonal-difference']);
    assertIssue(issuesOf(withChange((s) => (s.dataset.testSplit = 0))), 'dataset.testSplit', />=0.05/);
    assertIssue(issuesOf(withChange((s) => (s.dataset.testSplit = 'a tenth'))), 'dataset.testSplit', /expected number/);
    assertIssue(issuesOf(withChange((s) => Object.assign(s.dataset, { validationSplit: 0.4, testSplit: 0.3 }))), 'dataset.testSplit', /validationSplit 0.4 \+ testSplit 0.3 leave under 40% of the rows to train on/);
    assertIssue(issuesOf(withChange((s) => (s.dataset.output = 'difference'))), 'dataset.output', /seasonal-difference.*level/);
    assert.doesNotThrow(() => parseSweepSpec(withChange((s) => Object.assign(s.dataset, { validationSplit: 0.2, testSplit: 0.4 }))), 'exactly 40% left to train on is allowed');
  });

  it('rejects an objective the dataset does not report', () => {
    assertIssue(issuesOf(withChange((s) => (s.objective.metric = 'val_bpc'))), 'objective.metric', /not reported for dataset 'us-births-1969-1988'/);
  });

  it('points at the line of a YAML syntax error', () => {
    const issues = issuesOf('name: x\nbudget: { maxTrials: 3\n');
    assert.match(issues[0].message, /line \d+, column \d+/);
  });

  it('rejects an empty body and a body that is not an object', () => {
    assertIssue(issuesOf(''), '', /empty/);
    assertIssue(issuesOf('[1, 2]'), '', /expected object/);
  });

  it('checks early-stopping rules and names the field', () => {
    const issuesFor = (earlyStopping: unknown, budget?: unknown) => issuesOf(withChange((s) => ((s.earlyStopping = earlyStopping), budget && (s.budget = budget))));
    assertIssue(issuesFor({ type: 'asha', reductionFactor: 1 }), 'earlyStopping.reductionFactor', />=2/);
    assertIssue(issuesFor({ type: 'asha', minEpochs: 12 }), 'earlyStopping.minEpochs', /minEpochs \(12\) must be <= maxEpochs \(10\)/);
    assertIssue(issuesFor({ type: 'hyperband', maxEpochs: 50 }), 'earlyStopping.maxEpochs', /<= budget.maxEpochsPerTrial \(10\)/);
    assertIssue(issuesFor({ type: 'asha', patience: 3 }), 'earlyStopping.patience', /unknown field/);
    assertIssue(issuesFor({ type: 'median', warmupEpochs: 10 }), 'earlyStopping.warmupEpochs', /< budget.maxEpochsPerTrial/);
    assertIssue(issuesFor({ type: 'successive' }), 'earlyStopping.type', /'none' \| 'asha' \| 'hyperband' \| 'median'/);
    const spec = parseSweepSpec(withChange((s) => (s.earlyStopping = { type: 'asha', maxEpochs: 9 })));
    assert.deepEqual(spec.earlyStopping, { type: 'asha', minEpochs: 1, reductionFactor: 3, maxEpochs: 9 });
    assert.equal(trialConfigOf(spec, { hiddenUnits: 16, layers: 1, dropout: 0, learningRate: 0.01, batchSize: 64 }).maxEpochs, 9);
  });

  it('keeps the checkpoints of the best 10 trials by default, and refuses a retention that is not a whole number of at least 1', () => {
    assert.deepEqual(parseSweepSpec(withChange((s) => delete s.retention)).retention, { keepCheckpointsOfBest: 10 });
    assert.deepEqual(parseSweepSpec(withChange((s) => (s.retention = { keepCheckpointsOfBest: 1 }))).retention, { keepCheckpointsOfBest: 1 });
    const issuesFor = (retention: unknown) => issuesOf(withChange((s) => (s.retention = retention)));
    assertIssue(issuesFor({ keepCheckpointsOfBest: 0 }), 'retention.keepCheckpointsOfBest', />=1/);
    assertIssue(issuesFor({ keepCheckpointsOfBest: -3 }), 'retention.keepCheckpointsOfBest', />=1/);
    assertIssue(issuesFor({ keepCheckpointsOfBest: 2.5 }), 'retention.keepCheckpointsOfBest', /int/);
    assertIssue(issuesFor({ keepCheckpointsOfBest: 100_001 }), 'retention.keepCheckpointsOfBest', /<=100000/);
    assertIssue(issuesFor({ keepCheckpointsOfBest: '5' }), 'retention.keepCheckpointsOfBest', /number/);
    assertIssue(issuesFor({ keepCheckpointsOfBest: 5, keepLatest: 2 }), 'retention.keepLatest', /unknown field/);
    assertIssue(issuesFor(5), 'retention', /object/);
  });

  it('answers every malformed field with a SpecValidationError, never another error', () => {
    const base = parseSweepSpec(EXAMPLE_YAML) as any;
    base.paretoObjectives = [{ metric: 'val_mae', direction: 'minimize' }, { metric: 'param_count', direction: 'minimize' }];
    base.warmStartFrom = '0b7e1c7e-0000-4000-8000-000000000000';
    base.algorithm = { type: 'tpe' };
    base.earlyStopping = { type: 'asha' };
    const junk = [null, [], {}, 'x', -1, 1.5, true, [null], { type: 'x' }];
    const paths: string[][] = [];
    const walk = (value: unknown, path: string[]) => {
      paths.push(path);
      if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    };
    walk(base, []);
    let checked = 0;
    for (const path of paths.filter((p) => p.length > 0)) {
      for (const value of junk) {
        const spec = structuredClone(base);
        let target = spec;
        for (const key of path.slice(0, -1)) target = target[key];
        target[path[path.length - 1]] = value;
        try {
          parseSweepSpec(spec);
        } catch (error) {
          assert.ok(error instanceof SpecValidationError, `${path.join('.')} = ${JSON.stringify(value)}: ${String(error)}`);
        }
        checked++;
      }
    }
    assert.ok(checked > 300);
  });

  it('checks Pareto objectives against the dataset', () => {
    const issues = issuesOf(withChange((s) => (s.paretoObjectives = [{ metric: 'val_bpc', direction: 'minimize' }, { metric: 'val_bpc', direction: 'maximize' }])));
    assertIssue(issues, 'paretoObjectives.0.metric', /'val_bpc' is not reported for this dataset/);
    assertIssue(issues, 'paretoObjectives.1.metric', /must differ/);
    assertIssue(issuesOf(withChange((s) => (s.paretoObjectives = [{ metric: 'val_mae', direction: 'minimize' }]))), 'paretoObjectives', /2/);
  });

  describe('conditional and per-layer dimensions', () => {
    const conditional = () =>
      withChange((s) => {
        s.searchSpace = {
          layers: { type: 'choice', values: [1, 2, 3] },
          hiddenUnits: { type: 'perLayer', item: { type: 'int', min: 8, max: 64 } },
          dropout: { type: 'choice', values: [0, 0.2] },
          recurrentDropout: { type: 'float', min: 0, max: 0.3, when: { dropout: { gt: 0 } } },
        };
      });

    it('expands per-layer dimensions behind the layer count and orders parents first', () => {
      const spec = parseSweepSpec(conditional());
      const dims = searchDimensionsOf(spec);
      assert.deepEqual(Object.keys(dims), ['hiddenUnits.0', 'layers', 'hiddenUnits.1', 'hiddenUnits.2', 'dropout', 'recurrentDropout']);
      assert.deepEqual(dims['hiddenUnits.2'].when, { layers: { gt: 2 } });
      assert.equal(dims['hiddenUnits.0'].when, undefined);
    });

    it('builds configs with one unit count per layer, and defaults for dimensions that are off', () => {
      const spec = parseSweepSpec(conditional());
      const config = trialConfigOf(spec, { layers: 2, 'hiddenUnits.0': 32, 'hiddenUnits.1': 16, dropout: 0 });
      assert.deepEqual(config.hyperparameters.hiddenUnits, [32, 16]);
      assert.equal(config.hyperparameters.recurrentDropout, 0);
      // The config holds the default of a dimension that is off; search's activeOnly drops it again.
      assert.deepEqual(assignmentOf(config, Object.keys(searchDimensionsOf(spec))), { layers: 2, 'hiddenUnits.0': 32, 'hiddenUnits.1': 16, dropout: 0, recurrentDropout: 0 });
    });

    it('takes the cell fixed, as a choice, or per layer, and refuses anything but lstm, gru and rnn, naming the field', () => {
      const fixed = parseSweepSpec(withChange((s) => (s.searchSpace = { cell: 'gru' })));
      assert.equal(trialConfigOf(fixed, {}).hyperparameters.cell, 'gru');
      assert.equal(trialConfigOf(parseSweepSpec(withChange((s) => (s.searchSpace = {}))), {}).hyperparameters.cell, 'lstm', 'an LSTM unless asked');
      const chosen = parseSweepSpec(withChange((s) => (s.searchSpace.cell = { type: 'choice', values: ['lstm', 'gru', 'rnn'] })));
      assert.deepEqual(searchDimensionsOf(chosen).cell, { type: 'choice', values: ['lstm', 'gru', 'rnn'] });
      const perLayer = parseSweepSpec(withChange((s) => (s.searchSpace = { layers: 2, cell: { type: 'perLayer', item: { type: 'choice', values: ['gru', 'rnn'] } } })));
      const config = trialConfigOf(perLayer, { 'cell.0': 'rnn', 'cell.1': 'gru' });
      assert.deepEqual(config.hyperparameters.cell, ['rnn', 'gru']);
      assert.deepEqual(assignmentOf(config, Object.keys(searchDimensionsOf(perLayer))), { 'cell.0': 'rnn', 'cell.1': 'gru' });
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.cell = 'transformer'))), 'searchSpace.cell', /"transformer" is not one of lstm, gru, rnn \(recurrent cell of each layer\)/);
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.cell = { type: 'choice', values: ['lstm', 'GRU'] }))), 'searchSpace.cell.values.1', /"GRU" is not one of lstm, gru, rnn/);
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.cell = { type: 'int', min: 0, max: 2 }))), 'searchSpace.cell.type', /must be 'choice' or one of lstm, gru, rnn/);
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.cell = { type: 'perLayer', item: { type: 'choice', values: [1] } }))), 'searchSpace.cell.item.values.0', /1 is not one of/);
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.cell = 3))), 'searchSpace.cell', /./);
    });

    it('takes bidirectional as a switch or a choice of true and false, and nothing else', () => {
      const spec = parseSweepSpec(withChange((s) => (s.searchSpace = { bidirectional: { type: 'choice', values: [true, false] } })));
      assert.equal(trialConfigOf(spec, { bidirectional: true }).hyperparameters.bidirectional, true);
      assert.equal(trialConfigOf(parseSweepSpec(withChange((s) => (s.searchSpace = {}))), {}).hyperparameters.bidirectional, false, 'one way unless asked');
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.bidirectional = 'yes'))), 'searchSpace.bidirectional', /./);
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.bidirectional = { type: 'choice', values: [true, 'no'] }))), 'searchSpace.bidirectional.values.1', /"no" is not true or false/);
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.bidirectional = { type: 'int', min: 0, max: 1 }))), 'searchSpace.bidirectional.type', /must be 'choice' \(of true and false\)/);
    });

    it('takes the optimizer and the learning-rate schedule as hyperparameters, naming what is wrong', () => {
      const spec = parseSweepSpec(
        withChange((s) => (s.searchSpace = { optimizer: { type: 'choice', values: ['sgd', 'adamw'] }, momentum: 0.9, weightDecay: 0.01, clipNorm: 1, lrSchedule: 'cosine', warmupEpochs: 2 })),
      );
      const config = trialConfigOf(spec, { optimizer: 'adamw' });
      assert.deepEqual(
        [config.hyperparameters.optimizer, config.hyperparameters.momentum, config.hyperparameters.lrSchedule, config.hyperparameters.warmupEpochs, config.hyperparameters.lrDecay],
        ['adamw', 0.9, 'cosine', 2, 0.5],
      );
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.optimizer = 'adagrad'))), 'searchSpace.optimizer', /"adagrad" is not one of adam, adamw, sgd, rmsprop/);
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.lrSchedule = 'linear'))), 'searchSpace.lrSchedule', /is not one of constant, cosine, step, plateau/);
      assertIssue(
        issuesOf(withChange((s) => (s.searchSpace.optimizer = { type: 'perLayer', item: { type: 'choice', values: ['sgd'] } }))),
        'searchSpace.optimizer.type',
        /only hiddenUnits and cell take one value per layer/,
      );
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.momentum = 1.5))), 'searchSpace.momentum', /outside the allowed range \[0, 0.999\]/);
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.warmupEpochs = 1.5))), 'searchSpace.warmupEpochs', /./);
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.clipNorm = -1))), 'searchSpace.clipNorm', /outside the allowed range/);
    });

    it('rejects conditions on dimensions that do not exist, and cycles', () => {
      assertIssue(
        issuesOf(withChange((s) => (s.searchSpace.dropout = { type: 'float', min: 0, max: 0.5, when: { momentum: { gt: 0 } } }))),
        'searchSpace.dropout.when.momentum',
        /'momentum' is not a search dimension/,
      );
      assertIssue(
        issuesOf(withChange((s) => ((s.searchSpace.hiddenUnits = 32), (s.searchSpace.batchSize = { type: 'choice', values: [32, 64], when: { hiddenUnits: { gt: 16 } } })))),
        'searchSpace.batchSize.when.hiddenUnits',
        /is not a search dimension/,
      );
      const cyclic = issuesOf(
        withChange((s) => {
          s.searchSpace.dropout = { type: 'float', min: 0, max: 0.5, when: { recurrentDropout: { gt: 0 } } };
          s.searchSpace.recurrentDropout = { type: 'float', min: 0, max: 0.5, when: { dropout: { gt: 0 } } };
        }),
      );
      assert.ok(cyclic.some((i) => /conditions form a cycle: (dropout -> recurrentDropout -> dropout|recurrentDropout -> dropout -> recurrentDropout)/.test(i.message)), JSON.stringify(cyclic));
      assertIssue(issuesOf(withChange((s) => (s.searchSpace.dropout = { type: 'float', min: 0, max: 0.5, when: { layers: { gt: 1, lt: 3 } } }))), 'searchSpace.dropout.when.layers', /exactly one/);
    });

    it('refuses grid search over conditional dimensions', () => {
      const issues = issuesOf(withChange((s) => ((s.searchSpace = conditional().searchSpace), (s.algorithm = { type: 'grid' }))));
      assertIssue(issues, 'algorithm.type', /grid search does not take conditional/);
    });
  });

  describe('hostile input', () => {
    const V11 = '%YAML 1.1\n---\n';
    const aliasCases: [string, string, RegExp][] = [
      ['an unknown alias', `${EXAMPLE_YAML}description: *nowhere\n`, /YAML alias error: unknown alias .*nowhere/],
      ['an unknown alias at the root', '*nowhere\n', /unknown alias .*nowhere/],
      ['an unknown alias in a key', `${EXAMPLE_YAML}*nowhere : 1\n`, /unknown alias .*nowhere/],
      ['billion laughs', `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`, /expand to more than 100 copies/],
      ['a merge of a scalar (YAML 1.1)', `${V11}<<: 1\n`, /merge key \(<<\) error: merge sources must be maps/],
      ['a merge of an unknown alias', `${V11}<<: *nowhere\n`, /merge key \(<<\) error/],
      ['a !!merge tag on a scalar', 'a: {!!merge <<: 1}\n', /merge key \(<<\) error/],
      ['a mapping merged into itself', `${V11}a: &a {<<: *a}\n`, /expand to more than 100 copies.*its own anchor/],
    ];
    for (const [what, text, message] of aliasCases) {
      it(`answers a SpecValidationError for ${what}`, () => {
        const issues = issuesOf(text);
        assert.equal(issues.length, 1, JSON.stringify(issues));
        assertIssue(issues, '', message);
      });
    }

    it('refuses a sequence that holds its own alias (a cycle) before validating it', () => {
      const issues = issuesOf(EXAMPLE_YAML.replace(/layers: .*\n/, 'layers: &loop { type: choice, values: [*loop] }\n'));
      assert.deepEqual(issues, [{ path: 'searchSpace.layers.values.0', message: 'refers to a collection that contains it (a YAML alias inside its own anchor): cycles are not allowed' }]);
    });

    it('refuses 1,000 nested brackets before parsing them, as YAML and as JSON text, every time', () => {
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(issuesOf('['.repeat(1000)), [{ path: '', message: 'the YAML/JSON document is nested deeper than 64 levels at line 1, column 65' }]);
        assertIssue(issuesOf(`{"name": ${'['.repeat(1000)}`), '', /nested deeper than 64 levels/);
        assertIssue(issuesOf('- '.repeat(5000) + 'x'), '', /nested deeper than 64 levels/);
      }
    });

    it('refuses nesting that aliases build out of shallow text', () => {
      const nest = (inner: string) => `${'['.repeat(30)}${inner}${']'.repeat(30)}`;
      const levels = [`l1: &l1 ${nest('1')}`, `l2: &l2 ${nest('*l1')}`, `l3: ${nest('*l2')}`].join('\n');
      const issues = issuesOf(`${levels}\n`);
      assert.match(issues[0].message, /nested deeper than 64 levels/);
    });

    it('names the field of a NUL or a lone surrogate, in YAML, JSON and parsed objects, keys included', () => {
      assertIssue(issuesOf(EXAMPLE_YAML.replace(/^name: .*$/m, 'name: "births\\0"')), 'name', /NUL character/);
      assertIssue(issuesOf(JSON.stringify(withChange((s) => (s.searchSpace.layers = { type: 'choice', values: [1, 'two\u0000'] })))), 'searchSpace.layers.values.1', /NUL/);
      assertIssue(issuesOf(withChange((s) => (s.description = 'x\ud800'))), 'description', /lone UTF-16 surrogate/);
      assertIssue(issuesOf(withChange((s) => (s.searchSpace['lay\u0000ers'] = 1))), 'searchSpace.lay\\u0000ers', /the key contains a NUL/);
    });

    it('does not warn on the process for collections used as keys', () => {
      const warnings: string[] = [];
      const onWarning = (warning: Error) => warnings.push(warning.message);
      process.on('warning', onWarning);
      try {
        assertIssue(issuesOf(`${EXAMPLE_YAML}? [a, b]\n: 1\n`), '[ a, b ]', /unknown field/);
      } finally {
        process.off('warning', onWarning);
      }
      assert.deepEqual(warnings, []);
    });
  });
});
