/** GET /openapi.json: the OpenAPI document of the routes registered before it. */
import type { FastifyInstance } from 'fastify';
import { openApiDocument, type RouteDoc } from '../openapi.js';

/** The document's own route, for the 405 answers of the methods it does not take. */
export const OPENAPI_ROUTE: Pick<RouteDoc, 'method' | 'url'> = { method: 'GET', url: '/openapi.json' };

export function registerOpenApi(app: FastifyInstance, docs: readonly RouteDoc[]): void {
  app.get(OPENAPI_ROUTE.url, async () => openApiDocument(docs));
}
