import 'reflect-metadata';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { exitIfShutdownOutlasts } from '@tuneforge/contracts';
import { exitWithFatal, startProcessLogging } from '@tuneforge/logging';
import { Stores } from '@tuneforge/persistence';
import { selectTrainingEngine, warmSetupThread } from '@tuneforge/training';
import { WorkerHealthServer, type WorkerHealthChecks } from './health-server';
import { TrialProcessor } from './trial.processor';
import { TrialRunner } from './trial-runner.service';
import { loadWorkerConfig } from './worker.config';
import { WorkerModule } from './worker.module';
import { WorkerMetrics } from './worker-metrics.service';
import { WorkerRegistry } from './worker-registry.service';

/**
 * A worker process: trains trial jobs until SIGTERM/SIGINT, then lets each running trial finish its
 * epoch, checkpoint and go back to the queue, and exits.
 */
async function main(): Promise<void> {
  // The environment is checked (and logging set up) before the engine loads; WORKER_CONCURRENCY=auto then sizes from the engine.
  const settings = loadWorkerConfig();
  startProcessLogging(settings.log, { fields: { workerId: settings.id } });
  const engine = await selectTrainingEngine();
  // While the rest starts: the first trial then opens without waiting for the setup thread's start.
  warmSetupThread().catch((error: unknown) => Logger.warn(`the setup thread did not start: ${(error as Error).message}; the first trial starts it again`, 'Worker'));
  const config = { ...loadWorkerConfig(process.env, engine), id: settings.id };
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, engine), { logger: config.log.levels });
  const runner = app.get(TrialRunner);
  const metrics = app.get(WorkerMetrics);
  const health =
    config.healthPort === undefined
      ? undefined
      : await WorkerHealthServer.start(healthChecks(app), config.healthPort, undefined, { text: () => metrics.text(), contentType: metrics.contentType, token: config.metricsToken });
  if (health) Logger.log(`probes on :${health.port} (GET /livez, GET /readyz), Prometheus metrics at GET /metrics${config.metricsToken ? ' (METRICS_TOKEN)' : ''}`, 'Worker');
  Logger.log(`worker ${config.id} ready: ${config.concurrency} trial(s) at a time (${config.concurrencyReason}) on queue '${config.queuePrefix}:trials'`, 'Worker');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    Logger.log(`${signal}: handing back ${runner.running.size} running trial(s) after their current epoch`, 'Worker');
    health?.markStopping();
    runner.requestStop();
    await app.get(TrialProcessor).worker.pause(true); // take no new jobs
    await runner.idle();
    await app.get(WorkerRegistry).markStopped();
    await app.close();
    await health?.close();
    process.exit(0);
  };
  exitIfShutdownOutlasts(config.stopTimeoutMs, (signal) =>
    Logger.warn(
      `still stopping ${config.stopTimeoutMs} ms after ${signal} (WORKER_STOP_TIMEOUT_MS): exiting; unfinished trials' job locks expire and they resume from their last checkpoint`,
      'Worker',
    ),
  );
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

function healthChecks(app: INestApplicationContext): WorkerHealthChecks {
  const { worker } = app.get(TrialProcessor);
  return {
    postgres: () => app.get(Stores).ping(),
    redis: async () => (await worker.getBackend().client).runCommand('ping', []),
    processorRunning: () => worker.isRunning() && !worker.isPaused(),
  };
}

main().catch((error: unknown) => exitWithFatal('worker failed', error));
