import { FerkitError } from '../errors.js';
import { serve } from '../serve/run.js';
import { DEFAULT_LIMITS } from '../serve/server.js';
import { intFlag, numFlag, parseFlags, backendFlag, detectorFlag, runtimeFlag } from './args.js';
import { DEFAULT_JOB_DEFAULTS, DEFAULT_QUEUE } from '../queue/jobs.js';
import { redactUrl } from './worker.js';

export const SERVE_HELP = `ferkit serve [options]

Starts the HTTP API on the bundled model (or --model): POST /v1/recognize
takes a picture (multipart field "image", several for a batch, or a raw
image/jpeg, image/png or image/webp body) and answers with its faces and
their emotions; GET /v1/health, GET /v1/model, GET /openapi.json. Pictures
are decoded in memory and never written to disk or logged. Logs are JSON
lines on stdout. SIGTERM or Ctrl-C stops it after the requests in flight.

  --host HOST            address to listen on (default 127.0.0.1, or FERKIT_HOST)
  --port N               port (default 8080, or FERKIT_PORT; 0 for any free port)
  --model DIR            model folder, or a bundled model by name: default (the default), fast or paper
  --workers N            server processes sharing the port, each with its own engine (default 1)
  --concurrency N        inferences at once per process (default ${DEFAULT_LIMITS.concurrency})
  --queue N              requests that may wait for an inference; more get 503 (default ${DEFAULT_LIMITS.queue})
  --max-body-mb N        largest request body (default ${DEFAULT_LIMITS.bodyBytes / 2 ** 20})
  --max-pixels N         largest picture, width x height, checked before decoding (default ${DEFAULT_LIMITS.pixels})
  --max-images N         most pictures in one request (default ${DEFAULT_LIMITS.images})
  --timeout-ms N         longest time for a request to arrive (default ${DEFAULT_LIMITS.timeoutMs})
  --log LEVEL            fatal, error, warn, info (default), debug, or silent
  --backend NAME         auto | native | wasm | cpu
  --runtime NAME         auto | onnx (ONNX Runtime) | tfjs: what runs the emotion model (default auto: ONNX Runtime where it loads)
  --detector NAME        accurate (default: SSD-MobileNet); fast (BlazeFace, about 5x quicker, for live video
                         and close-ups); auto (fast for close-ups, accurate otherwise)
  --redis URL            a job queue's Redis (redis://host:port): adds POST /v1/jobs (pictures or a video,
                         uploaded or by URL, for \`ferkit worker\` processes), GET /v1/jobs/{id} and
                         GET /v1/jobs/{id}/events (progress as server-sent events)
  --job-queue NAME       the job queue's name (default ${DEFAULT_QUEUE})
  --job-keep S           seconds a job's result stays in Redis (default ${DEFAULT_JOB_DEFAULTS.keepSeconds})`;

export async function serveCommand(argv: string[], log: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    model: { type: 'string' },
    workers: { type: 'string' },
    concurrency: { type: 'string' },
    queue: { type: 'string' },
    'max-body-mb': { type: 'string' },
    'max-pixels': { type: 'string' },
    'max-images': { type: 'string' },
    'timeout-ms': { type: 'string' },
    log: { type: 'string' },
    redis: { type: 'string' },
    'job-queue': { type: 'string' },
    'job-keep': { type: 'string' },
    backend: { type: 'string' },
    runtime: { type: 'string' },
    detector: { type: 'string' },
  });
  const port = intFlag(v.port ?? process.env.FERKIT_PORT, 'port', 8080);
  if (port < 0 || port > 65535) throw new FerkitError('BAD_ARGUMENT', `--port must be 0..65535, got ${port}`);
  const positive = (value: number, flag: string) => {
    if (!(value > 0)) throw new FerkitError('BAD_ARGUMENT', `--${flag} must be above 0, got ${value}`);
    return value;
  };
  const queue = intFlag(v.queue, 'queue', DEFAULT_LIMITS.queue);
  if (queue < 0) throw new FerkitError('BAD_ARGUMENT', `--queue must be 0 or more, got ${queue}`);
  const level = v.log ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level))
    throw new FerkitError('BAD_ARGUMENT', `--log must be fatal, error, warn, info, debug or silent, got ${level}`);
  const backend = backendFlag(v.backend);
  const runtime = runtimeFlag(v.runtime);
  await serve({
    host: v.host ?? process.env.FERKIT_HOST ?? '127.0.0.1',
    port,
    ...(v.model ? { model: v.model } : {}),
    workers: positive(intFlag(v.workers, 'workers', 1), 'workers'),
    limits: {
      concurrency: positive(intFlag(v.concurrency, 'concurrency', DEFAULT_LIMITS.concurrency), 'concurrency'),
      queue,
      bodyBytes: Math.round(positive(numFlag(v['max-body-mb'], 'max-body-mb', DEFAULT_LIMITS.bodyBytes / 2 ** 20), 'max-body-mb') * 2 ** 20),
      pixels: positive(intFlag(v['max-pixels'], 'max-pixels', DEFAULT_LIMITS.pixels), 'max-pixels'),
      images: positive(intFlag(v['max-images'], 'max-images', DEFAULT_LIMITS.images), 'max-images'),
      timeoutMs: positive(intFlag(v['timeout-ms'], 'timeout-ms', DEFAULT_LIMITS.timeoutMs), 'timeout-ms'),
    },
    recognizer: { ...(backend ? { backend } : {}), ...(runtime ? { runtime } : {}), detector: detectorFlag(v.detector) },
    log: level === 'silent' ? false : level,
    ...(v.redis !== undefined ? { redis: v.redis } : {}),
    ...(v['job-queue'] !== undefined ? { queue: v['job-queue'] } : {}),
    ...(v['job-keep'] !== undefined
      ? { jobs: { keepSeconds: positive(intFlag(v['job-keep'], 'job-keep', DEFAULT_JOB_DEFAULTS.keepSeconds), 'job-keep') } }
      : {}),
    onListening: (url) =>
      log(
        `ferkit serve: listening on ${url} (POST /v1/recognize; GET /v1/health, /v1/model, /openapi.json${v.redis ? `; jobs on ${redactUrl(v.redis)}: POST /v1/jobs, GET /v1/jobs/{id}` : ''})`,
      ),
  });
  return 0;
}
