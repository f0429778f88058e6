import { Logger } from '@nestjs/common';
import { exitIfShutdownOutlasts } from '@tuneforge/contracts';
import { exitWithFatal, startProcessLogging } from '@tuneforge/logging';
import { migrateUnderLock } from '@tuneforge/persistence';
import { createCoordinatorApp } from './coordinator.app';
import { loadCoordinatorConfig } from './config/coordinator.config';

async function main(): Promise<void> {
  const config = loadCoordinatorConfig();
  startProcessLogging(config.log);
  exitIfShutdownOutlasts(config.shutdownTimeoutMs, (signal) =>
    Logger.warn(`${signal}: still closing after ${config.shutdownTimeoutMs} ms (SHUTDOWN_TIMEOUT_MS), a dependency is not answering; exiting`, 'Coordinator'),
  );
  // Replicas starting together take turns (an advisory lock); the later ones find the schema up to date.
  const applied = await migrateUnderLock(config.databaseUrl);
  if (applied.length > 0) Logger.log(`applied migrations: ${applied.join(', ')}`, 'Coordinator');
  const app = await createCoordinatorApp(config);
  await app.listen(config.port, config.host);
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  Logger.log(`listening on ${url} (API ${url}/api/v1, docs ${url}/api/docs)`, 'Coordinator');
}

main().catch((error: unknown) => exitWithFatal('coordinator failed to start', error));
