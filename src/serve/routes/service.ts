/** GET /v1/health and GET /v1/model: whether the service is up and its load, and the model it answers with. */
import type { FastifyInstance } from 'fastify';
import type { Recognizer } from '../../node/index.js';
import type { Admission } from '../admission.js';
import type { RouteDoc } from '../openapi.js';
import { healthReply, modelReply } from '../replies.js';
import { healthSchema, modelSchema } from '../schemas.js';
import { addRoute } from './route.js';

export interface ServiceContext {
  recognizer: Recognizer;
  /** The model's name as clients see it. */
  modelName: string;
  /** The recognizer's `uncertainBelow`. */
  uncertainBelow: number;
  admission: Admission;
  /** When the service started (performance.now()). */
  started: number;
}

export function registerServiceRoutes(app: FastifyInstance, docs: RouteDoc[], c: ServiceContext): void {
  addRoute(app, docs, { method: 'GET', url: '/v1/health', summary: 'Whether the service is up, and its load', responses: { 200: healthSchema } }, async () =>
    healthReply(c.modelName, c.recognizer.engine.backend, c.admission.load, c.started),
  );
  addRoute(
    app,
    docs,
    { method: 'GET', url: '/v1/model', summary: 'The emotion model: labels, architecture, accuracy figures, calibration', responses: { 200: modelSchema } },
    async () => modelReply(c.modelName, c.recognizer.meta, c.uncertainBelow),
  );
}
