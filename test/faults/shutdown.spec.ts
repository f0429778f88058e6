import { after, before, describe, it } from 'node:test';
import type { FaultStack } from './support/fault-stack';
import { runScenario, startGroupStack } from './support/run-scenario';
import { scenarioGroup } from './support/scenarios';

describe('faults: SIGTERM while a dependency is unreachable', () => {
  const group = scenarioGroup('faults_shutdown');
  const [withoutRedis, withoutPostgres] = group.scenarios;
  let stack: FaultStack;
  before(async () => {
    stack = await startGroupStack(group);
  });
  after(() => stack?.close());

  it(withoutRedis.title, async () => {
    await runScenario(withoutRedis, stack);
  });

  it(withoutPostgres.title, async () => {
    await runScenario(withoutPostgres, stack);
  });
});
