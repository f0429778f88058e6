import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { SweepSpecSchema } from '@tuneforge/contracts';

/** Serves Swagger UI at /api/docs and the OpenAPI document at /api/docs-json; the spec schema comes from zod. */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Tuneforge coordinator')
    .setDescription('Hyperparameter sweeps of LSTM sequence models: submit sweeps, follow their trials and metrics.')
    .setVersion('1')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    SweepSpec: z.toJSONSchema(SweepSpecSchema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
  };
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
