import { after, before, describe, it } from 'node:test';
import type { FaultStack } from './support/fault-stack';
import { runScenario, startGroupStack } from './support/run-scenario';
import { noFaultRealModel, scenarioGroup, workerKill } from './support/scenarios';

describe('faults with real LSTMs (native engine): no fault, and kill -9 of a worker mid-epoch', () => {
  const group = scenarioGroup('faults_real_model');
  let stack: FaultStack;
  before(async () => {
    stack = await startGroupStack(group);
  });
  after(() => stack?.close());

  it(noFaultRealModel.title, { skip: noFaultRealModel.skip }, async () => {
    await runScenario(noFaultRealModel, stack);
  });

  it(workerKill.title, { skip: workerKill.skip }, async () => {
    await runScenario(workerKill, stack);
  });
});
