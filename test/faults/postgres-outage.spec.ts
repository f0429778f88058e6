import { after, before, describe, it } from 'node:test';
import type { FaultStack } from './support/fault-stack';
import { runScenario, startGroupStack } from './support/run-scenario';
import { postgresOutage, scenarioGroup } from './support/scenarios';

describe('faults: PostgreSQL stops mid-sweep (private cluster)', () => {
  const group = scenarioGroup('faults_postgres');
  const [outage] = group.scenarios;
  let stack: FaultStack;
  before(async () => {
    stack = await startGroupStack(group);
  });
  after(() => stack?.close());

  it(postgresOutage().title, async () => {
    await runScenario(outage, stack);
  });
});
