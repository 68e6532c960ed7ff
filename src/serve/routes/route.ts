/**
 * How the service declares a route: one RouteDoc is both what Fastify
 * validates and serialises with and what the OpenAPI document shows. The
 * methods a route does not take are answered 405.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http.js';
import type { RouteDoc } from '../openapi.js';
import { sendError } from '../replies.js';

export type RouteHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Registers a route on `app` from its doc, and adds the doc to `docs` (the OpenAPI document's routes). */
export function addRoute(app: FastifyInstance, docs: RouteDoc[], doc: RouteDoc, handler: RouteHandler): void {
  docs.push(doc);
  app.route({
    method: doc.method,
    url: doc.url,
    schema: { ...(doc.query ? { querystring: doc.query } : {}), ...(doc.params ? { params: doc.params } : {}), response: doc.responses },
    handler,
  });
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/**
 * Answers a method a route does not take with 405, its `Allow` header and
 * an error in the service's shape, instead of "no route": GET on
 * /v1/recognize says to POST.
 */
export function wrongMethods(app: FastifyInstance, routes: readonly Pick<RouteDoc, 'method' | 'url'>[]): void {
  const allowed = new Map<string, Set<string>>();
  for (const r of routes) {
    const set = allowed.get(r.url) ?? new Set<string>();
    set.add(r.method);
    // Fastify answers HEAD wherever it answers GET
    if (r.method === 'GET') set.add('HEAD');
    allowed.set(r.url, set);
  }
  for (const [url, methods] of allowed) {
    const allow = [...methods].join(', ');
    const others = METHODS.filter((m) => !methods.has(m));
    const use = [...methods].filter((m) => m !== 'HEAD').join(' or ');
    app.route({
      method: others,
      url,
      // answered before any body is read: a wrong method is told as such, whatever it sends
      onRequest: async (req, reply) => {
        reply.header('allow', allow);
        sendError(reply, new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not answered at ${req.url.split('?')[0]}; use ${use} (see /openapi.json)`));
        return reply;
      },
      handler: async (_req, reply) => reply,
    });
  }
}
