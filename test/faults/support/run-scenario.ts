import { join } from 'node:path';
import { FaultStack } from './fault-stack';
import { recordFaultTiming } from './recovery';
import type { Scenario, ScenarioGroup, ScenarioResult } from './scenarios';

/** Starts a group's stack: its own PostgreSQL cluster, Redis and coordinator. */
export function startGroupStack(group: ScenarioGroup): Promise<FaultStack> {
  return FaultStack.start(group.label, group.options);
}

/**
 * Runs one scenario on the group's stack and records its timing in tmp/fault-recovery.json. Whatever
 * happens, its workers are stopped and the stack left with a coordinator for the next scenario.
 */
export async function runScenario(scenario: Scenario, stack: FaultStack): Promise<ScenarioResult> {
  if (!stack.coordinator.running) await stack.startCoordinator();
  try {
    const result = await scenario.run(stack);
    if (result.timing) await recordFaultTiming(result.timing);
    return result;
  } catch (error) {
    const where = join('tmp', 'faults', stack.label);
    if (error instanceof Error) error.message += `\n(every process's output is left in ${where}/ when the file's stack closes)`;
    throw error;
  } finally {
    await stack.stopWorkers();
  }
}
