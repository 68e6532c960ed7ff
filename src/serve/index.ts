/** ferkit's HTTP service (`ferkit/serve`): kept apart from the main entry so that using the library does not load Fastify. */
export { serve, startServer, type ServeOptions } from './run.js';
export { createServer, checkPicture, httpError, HttpError, DEFAULT_LIMITS, type ServeLimits, type ServerOptions } from './server.js';
export { registerStatic, PAGE_POLICY, type StaticOptions } from './static.js';
export { Admission, Saturated } from './admission.js';
export { openApiDocument, type RouteDoc } from './openapi.js';
