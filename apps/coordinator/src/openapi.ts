import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { API_ROUTES, API_SCHEMAS, SweepSpecSchema, type ApiRoute } from '@tuneforge/contracts';

export const API_PREFIX = '/api/v1';
const COMPONENTS = '#/components/schemas/';

type Operation = OpenAPIObject['paths'][string]['get'] & object;
type JsonSchema = Record<string, unknown>;

/**
 * Serves Swagger UI at /api/docs and the OpenAPI document at /api/docs-json. The schemas come from
 * zod: the sweep spec (request body), every answer (API_SCHEMAS, per route from API_ROUTES) and every
 * query string, so a client can be generated from the document.
 */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Tuneforge coordinator')
    .setDescription('Hyperparameter sweeps of LSTM sequence models: submit sweeps, follow their trials and metrics.')
    .setVersion('1')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const { schemas } = z.toJSONSchema(API_SCHEMAS, { target: 'openapi-3.0', io: 'output', unrepresentable: 'any', uri: (id) => COMPONENTS + id });
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    ...Object.fromEntries(Object.entries(schemas).map(([id, { $id: _id, ...schema }]) => [id, schema])),
    SweepSpec: toOpenApi(SweepSpecSchema, 'input'),
  };
  for (const [name, route] of Object.entries(API_ROUTES)) describeRoute(document, name, route);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}

/** Gives the operation of a route its id, its query parameters and the schema of each answer; a route without an operation is a bug. */
function describeRoute(document: OpenAPIObject, name: string, route: ApiRoute): void {
  const path = API_PREFIX + route.path.replace(/:(\w+)/g, '{$1}');
  const operation = document.paths[path]?.[route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'] as Operation | undefined;
  if (!operation) throw new Error(`API_ROUTES.${name} (${route.method} ${path}) has no controller method`);
  operation.operationId = name;
  if (route.query) operation.parameters = [...(operation.parameters ?? []).filter((p) => !('in' in p) || p.in !== 'query'), ...queryParameters(route.query)];
  if (route.body) operation.requestBody = { required: true, content: requestContent(route.body, route.text) };
  const answer = answerContent(route);
  for (const status of route.statuses ?? [200]) {
    const existing = operation.responses[status] as { description?: string } | undefined;
    operation.responses[status] = { description: existing?.description ?? 'OK', ...(answer ? { content: answer } : {}) };
  }
  delete operation.responses.default;
  for (const [status, response] of Object.entries(operation.responses)) {
    if (Number(status) >= 400 && !(route.statuses ?? []).includes(Number(status))) {
      const { description } = response as { description?: string };
      operation.responses[status] = { description: description ?? 'refused', content: { 'application/json': { schema: { $ref: `${COMPONENTS}ErrorBody` } } } };
    }
  }
}

/** The sweep spec by reference (it is large); other bodies inline. A route with `text` also takes its body as text (YAML). */
function requestContent(body: z.ZodType, text: ApiRoute['text']): Record<string, { schema: JsonSchema }> {
  const schema = body === SweepSpecSchema ? { $ref: `${COMPONENTS}SweepSpec` } : toOpenApi(body, 'input');
  return { 'application/json': { schema }, ...(text ? { [text]: { schema: { type: 'string' } } } : {}) };
}

/** The content of a route's answer; none for an answer without a body (204, a redirect's 302). */
function answerContent(route: ApiRoute): Record<string, { schema: JsonSchema }> | undefined {
  if (route.response === 'none' || route.response === 'redirect') return undefined;
  if (route.response === 'binary') return { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } };
  const id = API_SCHEMAS.get(route.response)?.id;
  if (!id) throw new Error(`the answer of ${route.method} ${route.path} is not one of API_SCHEMAS`);
  return { [route.stream ? 'text/event-stream' : 'application/json']: { schema: { $ref: COMPONENTS + id } } };
}

function queryParameters(query: z.ZodObject): { name: string; in: 'query'; required: boolean; schema: JsonSchema; description?: string }[] {
  const schema = toOpenApi(query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property as JsonSchema & { description?: string };
    return { name, in: 'query', required: schema.required?.includes(name) ?? false, schema: rest, ...(description ? { description } : {}) };
  });
}

function toOpenApi(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as JsonSchema;
}
