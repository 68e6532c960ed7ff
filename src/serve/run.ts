/**
 * Running the service: one process, or several (Node's cluster module) that
 * share the port, each with its own engine. Stops gracefully on SIGTERM and
 * SIGINT: no new connections, requests in flight finished, then exit.
 */
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createRecognizer, type RecognizerOptions } from '../node/index.js';
import { createServer, type ServeLimits } from './server.js';
import { registerStatic, webRoot } from './static.js';
import { defaultModelDir, resolveModelDir } from '../fs/paths.js';
import { JobClient } from '../queue/client.js';
import type { JobDefaults } from '../queue/jobs.js';
import { FerkitError } from '../core/errors.js';

export interface ServeOptions {
  /** Default 127.0.0.1 (`ferkit serve` also reads FERKIT_HOST). */
  host?: string;
  /** Default 8080 (`ferkit serve` also reads FERKIT_PORT); 0 picks a free port. */
  port?: number;
  /** Emotion model folder or bundled name. Default: the bundled default. */
  model?: string;
  /** Processes serving the port, each with its own engine. Default 1. */
  workers?: number;
  limits?: Partial<ServeLimits>;
  recognizer?: Omit<RecognizerOptions, 'model'>;
  /** Log level (pino), or false for no logs. Default info. */
  log?: string | false;
  /** Folder of the built web page (default dist/web). */
  webDir?: string;
  /** The Redis of a job queue (redis://host:port): adds POST /v1/jobs, GET /v1/jobs/:id and its events, for `ferkit worker` processes. */
  redis?: string;
  /** Queue name. Default `ferkit`. */
  queue?: string;
  /** How long job results stay in Redis, attempts and backoff. */
  jobs?: Partial<JobDefaults>;
  /** Longest wait for the job queue's Redis at start, in ms: past it the service does not start (UNAVAILABLE). Default 10 000. */
  connectTimeoutMs?: number;
  /** Called once listening, with the address and whether the web page is served at `/` (it is where it has been built). */
  onListening?: (url: string, served: { page: boolean }) => void;
}

/** Starts the service; resolves when it has stopped, after SIGTERM or SIGINT. */
export async function serve(options: ServeOptions = {}): Promise<void> {
  const workers = options.workers ?? 1;
  if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError(`workers must be a whole number of at least 1, got ${workers}`);
  if (workers > 1 && cluster.isPrimary) return runPrimary(workers, options);
  const { app, url, page } = await startServer(options);
  options.onListening?.(url, { page });
  await new Promise<void>((resolve, reject) => {
    const stop = () => {
      app.log.info('stopping: finishing the requests in flight');
      // a close that fails (an onClose hook: the queue's Redis) is serve()'s failure, for its caller to say
      app.close().then(() => resolve(), reject);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    // a worker of a cluster is told by its primary
    process.once('disconnect', stop);
  });
}

/** One server process, listening. */
export async function startServer(options: ServeOptions = {}): Promise<{ app: FastifyInstance; url: string; page: boolean }> {
  const modelDir = resolveModelDir(options.model ?? defaultModelDir());
  const modelName = options.model ?? basename(modelDir);
  // the queue's Redis first: an unreachable one stops the start in seconds, before the model is loaded
  let warn: (line: string) => void = (line) => void process.stderr.write(`ferkit serve: ${line}\n`);
  const jobs = options.redis
    ? new JobClient({
        redis: options.redis,
        ...(options.queue ? { queue: options.queue } : {}),
        ...(options.jobs ? { defaults: options.jobs } : {}),
        ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
        log: (line) => warn(line),
      })
    : undefined;
  try {
    await jobs?.ready();
  } catch (err) {
    await jobs?.close();
    throw err;
  }
  const recognizer = await createRecognizer({ ...options.recognizer, model: modelDir });
  let page = false;
  const app = await createServer({
    ...(jobs ? { jobs } : {}),
    recognizer,
    modelName,
    ...(options.recognizer?.uncertainBelow !== undefined ? { uncertainBelow: options.recognizer.uncertainBelow } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    logger: options.log === false ? false : { level: options.log ?? 'info' },
    register: async (server) => {
      ({ page } = await registerStatic(server, { modelDir, ...(options.webDir ? { webDir: options.webDir } : {}) }));
    },
  });
  warn = (line) => app.log.warn(line);
  app.addHook('onClose', async () => {
    recognizer.dispose();
    await jobs?.close();
  });
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  try {
    const url = await app.listen({ host, port });
    return { app, url, page };
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new FerkitError('UNAVAILABLE', `port ${port} on ${host} is in use; stop what listens there or choose another port`, { options: ['port'] });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new FerkitError('BAD_ARGUMENT', `cannot listen on ${host}: no such address on this machine; give one of its addresses, or 0.0.0.0 for all`, {
        options: ['host'],
      });
    if (code === 'EACCES')
      throw new FerkitError('UNAVAILABLE', `not allowed to listen on port ${port}; ports below 1024 need privileges: choose a higher one`, {
        options: ['port'],
      });
    throw err;
  }
}

/** Whether the web page has been built, so that `/` serves it. */
function pageBuilt(options: ServeOptions): boolean {
  return existsSync(join(options.webDir ?? webRoot(), 'index.html'));
}

/** A worker dying more often than this gives up the service rather than restart it in a loop. */
const MAX_RESTARTS_PER_MINUTE = 5;

async function runPrimary(workers: number, options: ServeOptions): Promise<void> {
  let stopping = false;
  let listening = 0;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('listening', (_worker, address) => {
    if (++listening === workers)
      options.onListening?.(`http://${address.address ?? options.host ?? '127.0.0.1'}:${address.port}`, { page: pageBuilt(options) });
  });
  let failed: string | undefined;
  let restarts: number[] = [];
  cluster.on('exit', (worker, code, signal) => {
    if (listening < workers && !stopping) {
      // a worker that cannot start (a bad model, a port in use) would fail again: stop them all
      failed = `a server process exited while starting (${signal ?? `exit code ${code}`}); its log above says why`;
      stopAll();
      return;
    }
    const now = Date.now();
    restarts = restarts.filter((t) => now - t < 60_000);
    if (!stopping && restarts.length >= MAX_RESTARTS_PER_MINUTE) {
      failed = `server processes died ${MAX_RESTARTS_PER_MINUTE} times within a minute; the last exited with ${signal ?? `exit code ${code}`}`;
      stopAll();
      return;
    }
    if (!stopping) {
      restarts.push(now);
      // a worker that dies is replaced, so the service keeps its capacity
      console.error(`ferkit serve: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
      cluster.fork();
    }
  });
  let stopAll = () => {};
  await new Promise<void>((resolve) => {
    stopAll = () => {
      if (stopping) return;
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.disconnect();
      const check = () => (Object.keys(cluster.workers ?? {}).length === 0 ? resolve() : setTimeout(check, 50));
      check();
    };
    process.once('SIGTERM', stopAll);
    process.once('SIGINT', stopAll);
  });
  if (failed) throw new FerkitError('UNAVAILABLE', failed);
}
