/** The routes registered beside the API (the web page's files), logged below the API's level. */
import type { FastifyInstance } from 'fastify';

/**
 * Registers the page's routes with `register`. The page's files are logged
 * at debug level: at info, the log is the API's (a route's level is a
 * threshold, so their request lines, logged at info, are shown from debug down).
 */
export async function registerPage(app: FastifyInstance, register: (app: FastifyInstance) => Promise<void>, level: string): Promise<void> {
  if (level === 'info')
    app.addHook('onRoute', (r) => {
      r.logLevel = 'warn';
    });
  await register(app);
}
