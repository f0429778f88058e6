import { after, before, describe, it } from 'node:test';
import type { FaultStack } from './support/fault-stack';
import { runScenario, startGroupStack } from './support/run-scenario';
import { redisFlush, redisRestart, scenarioGroup } from './support/scenarios';

describe('faults: Redis loses its data mid-sweep (private Redis)', () => {
  const group = scenarioGroup('faults_redis');
  let stack: FaultStack;
  before(async () => {
    stack = await startGroupStack(group);
  });
  after(() => stack?.close());

  it(redisRestart.title, async () => {
    await runScenario(redisRestart, stack);
  });

  it(redisFlush.title, async () => {
    await runScenario(redisFlush, stack);
  });
});
