import { FerkitError } from '../core/errors.js';
import { serve } from '../serve/run.js';
import { DEFAULT_LIMITS } from '../serve/server.js';
import { intFlag, numFlag, parseFlags } from './args.js';
import { pickFlags, RECOGNIZER_FLAGS, stringFlags } from './option-groups.js';
import { recognizerOptions } from './recognizer-options.js';
import { DEFAULT_JOB_DEFAULTS, DEFAULT_QUEUE } from '../queue/jobs.js';
import { redactUrl, redisTimeoutFlag } from './worker.js';
import { IMAGE_TYPES } from '../serve/http.js';
import { formatList, PICTURE_FORMATS, SERVICE_FORMATS } from '../core/image/limits.js';

/** What `ferkit serve` prints once listening: where the page, the API and its documentation are. */
export function startLines(url: string, page: boolean, redis?: string): string {
  const base = url.replace(/\/$/, '');
  return [
    `ferkit serve: listening on ${base}`,
    `  web page  ${page ? `${base}/` : 'not built here (npm run build:web); the API is served'}`,
    `  API       POST ${base}/v1/recognize; GET ${base}/v1/health, ${base}/v1/model`,
    `  API docs  ${base}/openapi.json (OpenAPI 3.1)`,
    ...(redis ? [`  jobs      POST ${base}/v1/jobs, GET ${base}/v1/jobs/{id}, queued on ${redactUrl(redis)}`] : []),
  ].join('\n');
}

export const SERVE_HELP = `ferkit serve [options]

Starts the HTTP service on the bundled default model (or --model), and
prints where things are:
  /                    the web page: pictures and the camera, recognised in the browser
                       (where the page has been built)
  POST /v1/recognize   the API: a picture in (multipart field "image", several for a batch,
                       or a raw ${IMAGE_TYPES.join(', ')} body), its faces and emotions out
  GET /v1/health       whether it is up, and its load; GET /v1/model: the model
  /openapi.json        the API's documentation (OpenAPI 3.1)
The API reads ${formatList(SERVICE_FORMATS)} pictures, the formats browsers send
(ferkit predict reads ${formatList(PICTURE_FORMATS)}). Pictures are decoded
in memory and never written to disk or logged. Logs are JSON lines on
stdout (the page's files at debug level). SIGTERM or Ctrl-C stops it after
the requests in flight.

  --host HOST            address to listen on (default 127.0.0.1, or FERKIT_HOST)
  --port N               port (default 8080, or FERKIT_PORT; 0 for any free port)
  --model DIR            model folder, or a bundled model by name: default, fast (the fast model:
                         smaller, for live video) or paper
  --workers N            server processes sharing the port, each with its own engine (default 1)
  --concurrency N        inferences at once per process (default ${DEFAULT_LIMITS.concurrency})
  --queue N              requests that may wait for an inference; more get 503 (default ${DEFAULT_LIMITS.queue})
  --max-body-mb N        largest request body (default ${DEFAULT_LIMITS.bodyBytes / 2 ** 20})
  --max-pixels N         largest picture, width x height, checked before decoding (default ${DEFAULT_LIMITS.pixels})
  --max-images N         most pictures in one request (default ${DEFAULT_LIMITS.images})
  --timeout-ms N         longest time for a request to arrive (default ${DEFAULT_LIMITS.timeoutMs})
  --log LEVEL            fatal, error, warn, info (default), debug, or silent
  --backend NAME         auto | native | wasm | cpu
  --runtime NAME         auto | onnx (ONNX Runtime) | tfjs: what runs the emotion model (default
                         auto: ONNX Runtime where it loads)
  --detector NAME        auto (default: the fast detector, BlazeFace, and for anything but close-ups
                         also the accurate one, SSD-MobileNet, keeping every face either finds);
                         fast (BlazeFace alone, for live video); accurate (SSD-MobileNet alone)
  --redis URL            a job queue's Redis (redis://host:port): adds POST /v1/jobs (pictures or a
                         video, uploaded or by URL, for \`ferkit worker\` processes), GET
                         /v1/jobs/{id} and GET /v1/jobs/{id}/events (progress as server-sent events)
  --redis-timeout S      give up starting when that Redis cannot be reached within S seconds
                         (default 10, or FERKIT_REDIS_TIMEOUT)
  --job-queue NAME       the job queue's name (default ${DEFAULT_QUEUE})
  --job-keep S           seconds a job's result stays in Redis (default ${DEFAULT_JOB_DEFAULTS.keepSeconds})

examples:
  ferkit serve                                  then open http://127.0.0.1:8080/
  ferkit serve --host 0.0.0.0 --port 80 --workers 2 --log warn
  ferkit serve --model fast --detector fast     the fast model and the fast detector
  ferkit serve --redis redis://10.0.0.5:6379    with jobs for \`ferkit worker\` processes
  curl -F image=@photo.jpg http://127.0.0.1:8080/v1/recognize`;

export async function serveCommand(argv: string[], log: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, {
    ...stringFlags('host', 'port', 'workers', 'concurrency', 'queue', 'max-body-mb', 'max-pixels', 'max-images', 'timeout-ms', 'log'),
    ...stringFlags('redis', 'job-queue', 'job-keep', 'redis-timeout'),
    ...pickFlags(RECOGNIZER_FLAGS, 'model', 'backend', 'runtime', 'detector'),
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
  const { model, ...recognizer } = recognizerOptions(v);
  await serve({
    host: v.host ?? process.env.FERKIT_HOST ?? '127.0.0.1',
    port,
    ...(model ? { model } : {}),
    workers: positive(intFlag(v.workers, 'workers', 1), 'workers'),
    limits: {
      concurrency: positive(intFlag(v.concurrency, 'concurrency', DEFAULT_LIMITS.concurrency), 'concurrency'),
      queue,
      bodyBytes: Math.round(positive(numFlag(v['max-body-mb'], 'max-body-mb', DEFAULT_LIMITS.bodyBytes / 2 ** 20), 'max-body-mb') * 2 ** 20),
      pixels: positive(intFlag(v['max-pixels'], 'max-pixels', DEFAULT_LIMITS.pixels), 'max-pixels'),
      images: positive(intFlag(v['max-images'], 'max-images', DEFAULT_LIMITS.images), 'max-images'),
      timeoutMs: positive(intFlag(v['timeout-ms'], 'timeout-ms', DEFAULT_LIMITS.timeoutMs), 'timeout-ms'),
    },
    recognizer,
    log: level === 'silent' ? false : level,
    ...(v.redis !== undefined ? { redis: v.redis, connectTimeoutMs: redisTimeoutFlag(v['redis-timeout']) } : {}),
    ...(v['job-queue'] !== undefined ? { queue: v['job-queue'] } : {}),
    ...(v['job-keep'] !== undefined
      ? { jobs: { keepSeconds: positive(intFlag(v['job-keep'], 'job-keep', DEFAULT_JOB_DEFAULTS.keepSeconds), 'job-keep') } }
      : {}),
    onListening: (url, { page }) => log(startLines(url, page, v.redis)),
  });
  return 0;
}
