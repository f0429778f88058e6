import { after, before, describe, it } from 'node:test';
import type { FaultStack } from './fault-stack';
import { runScenario, startGroupStack } from './run-scenario';
import { scenarioGroup } from './scenarios';

/** One test file of the suite: a group's stack (its own PostgreSQL, Redis and coordinator) shared by its scenarios, one test each. */
export function describeScenarioGroup(title: string, label: string): void {
  const group = scenarioGroup(label);
  describe(title, () => {
    let stack: FaultStack;
    before(async () => {
      stack = await startGroupStack(group);
    });
    after(() => stack?.close());
    for (const scenario of group.scenarios) {
      it(scenario.title, { skip: scenario.skip }, async () => {
        await runScenario(scenario, stack);
      });
    }
  });
}
