import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { AppModule } from './app.module';
import { jsonBody, toRequestBodyError } from './common/request-body';
import type { CoordinatorConfig } from './config/coordinator.config';
import { serveDashboard } from './dashboard/serve-dashboard';
import { MAX_DATASET_BYTES } from './datasets/datasets.controller';
import { setUpOpenApi } from './openapi';

export const YAML_MEDIA_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** Builds the coordinator (not yet listening): API under /api/v1, docs under /api/docs, the dashboard at /. */
export async function createCoordinatorApp(config: CoordinatorConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bodyParser: false, logger: config.log.levels });
  // request.ip (the audit log's client address, the sign-in limits' key) is the socket's peer unless TRUST_PROXY names the proxies in front.
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  app.use(...jsonBody(config.maxBodyBytes));
  app.use(express.text({ type: YAML_MEDIA_TYPES, limit: Math.min(config.maxBodyBytes, config.maxYamlBodyBytes) }));
  app.use(express.text({ type: 'text/csv', limit: MAX_DATASET_BYTES }));
  // Hand body-reading failures to the error filter as our own type (Nest would turn some into bare 400s).
  app.use(toRequestBodyError);
  serveDashboard(app, config.dashboardDir);
  app.setGlobalPrefix('api/v1');
  app.enableShutdownHooks();
  setUpOpenApi(app);
  return app;
}
