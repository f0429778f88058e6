import { after, before, describe, it } from 'node:test';
import type { FaultStack } from './support/fault-stack';
import { runScenario, startGroupStack } from './support/run-scenario';
import { coordinatorKills, scenarioGroup, strandedTrials } from './support/scenarios';

describe('faults: the coordinator killed during top-ups; trials stranded without a worker', () => {
  const group = scenarioGroup('faults_coordinator');
  let stack: FaultStack;
  before(async () => {
    stack = await startGroupStack(group);
  });
  after(() => stack?.close());

  it(coordinatorKills.title, async () => {
    await runScenario(coordinatorKills, stack);
  });

  it(strandedTrials.title, async () => {
    await runScenario(strandedTrials, stack);
  });
});
