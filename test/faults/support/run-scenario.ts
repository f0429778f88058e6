import { join } from 'node:path';
import { FaultStack } from './fault-stack';
import { recordFaultTiming, type FaultTiming } from './recovery';
import type { Scenario, ScenarioGroup, ScenarioResult } from './scenarios';

/** Starts a group's stack: its own PostgreSQL cluster, Redis and coordinator. */
export function startGroupStack(group: ScenarioGroup): Promise<FaultStack> {
  return FaultStack.start(group.label, group.options);
}

/**
 * Runs one scenario on the group's stack and records its timing (by default in tmp/fault-recovery.json).
 * Whatever happens, its workers are stopped; the next scenario gets a coordinator and no unfinished sweep.
 */
export async function runScenario(scenario: Scenario, stack: FaultStack, record: (timing: FaultTiming) => Promise<void> = recordFaultTiming): Promise<ScenarioResult> {
  if (!stack.coordinator.running) await stack.startCoordinator();
  // Scenarios of a group share its stack, not their sweeps: one an earlier scenario left unfinished would take the workers' slots.
  await stack.cancelUnfinishedSweeps();
  try {
    const result = await scenario.run(stack);
    if (result.timing) await record(result.timing);
    return result;
  } catch (error) {
    const where = join('tmp', 'faults', stack.label);
    if (error instanceof Error) error.message += `\n(every process's output is left in ${where}/ when the file's stack closes)`;
    throw error;
  } finally {
    await stack.stopWorkers();
  }
}
