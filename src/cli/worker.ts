import { FerkitError } from '../core/errors.js';
import { startWorker } from '../queue/worker.js';
import { DEFAULT_INPUT_LIMITS } from '../queue/inputs.js';
import { DEFAULT_QUEUE } from '../queue/jobs.js';
import { DEFAULT_VIDEO_LIMITS } from '../queue/video-plan.js';
import { DEFAULT_UNCERTAIN_BELOW } from '../core/recognizer.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, redactUrl } from '../queue/redis.js';
import { intFlag, numFlag, parseFlags } from './args.js';
import { FACE_FLAGS, pickFlags, RECOGNIZER_FLAGS, stringFlags } from './option-groups.js';
import { recognizerOptions } from './recognizer-options.js';

export const WORKER_HELP = `ferkit worker --redis URL [options]

Takes jobs from a queue in Redis and runs them: pictures, and videos (a long
video is cut into segments that several workers analyse at once; one of
them then joins the segments into the timeline \`ferkit video\` gives). Run
any number of workers, on any number of machines, against one Redis; jobs
come from \`ferkit submit\` or \`ferkit serve --redis\`. A job whose worker
dies is taken over by another after the lock time; a job that fails for a
bad input fails at once with its error code; other failures are retried
with backoff. SIGTERM or Ctrl-C stops it within seconds: a video or a batch
of pictures in hand is stopped and handed back to the queue, where another
worker takes it. Temporary files left by a worker that was killed are
removed by the next one to start.

  --redis URL          the queue's Redis: redis://[:password@]host:port[/db] (or FERKIT_REDIS)
  --redis-timeout S    give up starting when Redis cannot be reached within S seconds (default 10,
                       or FERKIT_REDIS_TIMEOUT); a connection lost later is retried until it is back
  --queue NAME         queue name (default ${DEFAULT_QUEUE})
  --concurrency N      jobs worked on at once by this process (default 1)
  --read DIR           a folder under which jobs may name files (absolute paths, as \`ferkit submit
                       --paths\` sends them); repeat for several; by default jobs upload their bytes
                       or give http(s) URLs
  --max-mb N           largest picture read from a file or URL (default ${DEFAULT_INPUT_LIMITS.bytes / 2 ** 20})
  --max-video-mb N     largest video downloaded from a URL (default ${DEFAULT_INPUT_LIMITS.videoBytes / 2 ** 20})
  --allow-hosts LIST   hosts and ranges job URLs may reach although they are not public,
                       comma-separated: addresses, CIDR ranges, host names, *.domain (or
                       FERKIT_ALLOW_HOSTS); by default URLs that resolve to loopback, private,
                       link-local (cloud metadata), multicast or reserved addresses are refused,
                       and so are redirects to them
  --max-pixels N       largest picture, width x height, checked before decoding (default ${DEFAULT_INPUT_LIMITS.pixels})
  --model DIR          model folder, or a bundled model by name: default, fast (the fast model:
                       smaller, for live video) or paper
  --min-confidence P   face detection threshold (default 0.5)
  --uncertain-below P  flag faces whose top probability is below P (default ${DEFAULT_UNCERTAIN_BELOW})
  --backend NAME       auto | native | wasm | cpu
  --max-segments N     the most segments a video is cut into; a longer video gets longer segments
                       (default ${DEFAULT_VIDEO_LIMITS.maxSegments})
  --max-video-seconds S
                       the longest video a job may analyse: a longer one is refused, a video whose
                       size does not bear out its claimed length is read whole and no further
                       (default ${DEFAULT_VIDEO_LIMITS.maxSeconds}, 4 h)
  --max-live-seconds S the longest reading of a live stream; its result says where it stopped
                       (default ${DEFAULT_VIDEO_LIMITS.maxLiveSeconds})
  --read-timeout S     a video URL that sends less than 16 KiB, or a stream that sends no frame,
                       in S seconds fails the job with TIMEOUT (default ${DEFAULT_VIDEO_LIMITS.readTimeoutMs / 1000})
  --lock-ms N          a job's lock lasts this long without renewal; a dead worker's jobs go to
                       others after about this (default 30000)
  --stalled-ms N       how often to look for jobs of dead workers (default 30000)

examples:
  ferkit worker --redis redis://10.0.0.5:6379 --concurrency 2
  ferkit worker --redis redis://:secret@queue.internal:6379 --read /mnt/recordings`;

export { redactUrl } from '../queue/redis.js';

/**
 * `--redis-timeout S` (or FERKIT_REDIS_TIMEOUT; default 10): the command
 * gives up on an unreachable Redis S seconds after it started. Returns the
 * wait left for the connection, in ms (at least one second).
 */
export function redisTimeoutFlag(value: string | undefined): number {
  const raw = value ?? process.env.FERKIT_REDIS_TIMEOUT;
  const seconds = numFlag(raw, 'redis-timeout', DEFAULT_CONNECT_TIMEOUT_MS / 1000);
  if (!(seconds > 0)) throw new FerkitError('BAD_ARGUMENT', `--redis-timeout must be a number of seconds above 0, got "${raw}"`);
  // performance.now() counts from the start of the process: loading the command's modules is part of the wait
  return Math.round(Math.max(1000, seconds * 1000 - performance.now()));
}

export function redisFlag(value: string | undefined): string {
  const url = value ?? process.env.FERKIT_REDIS;
  if (!url) throw new FerkitError('BAD_ARGUMENT', "give the queue's Redis with --redis redis://host:port (or set FERKIT_REDIS)");
  if (!/^rediss?:\/\//.test(url)) throw new FerkitError('BAD_ARGUMENT', `--redis must be a redis:// or rediss:// URL, got "${redactUrl(url)}"`);
  return url;
}

export async function workerCommand(argv: string[], log: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, {
    ...stringFlags('redis', 'queue', 'concurrency', 'max-mb', 'max-pixels', 'max-video-mb', 'lock-ms', 'stalled-ms', 'redis-timeout'),
    ...stringFlags('max-segments', 'max-video-seconds', 'max-live-seconds', 'read-timeout'),
    read: { type: 'string', multiple: true },
    'allow-hosts': { type: 'string', multiple: true },
    ...pickFlags(RECOGNIZER_FLAGS, 'model', 'min-confidence', 'backend'),
    ...pickFlags(FACE_FLAGS, 'uncertain-below'),
  });
  const redis = redisFlag(v.redis);
  const connectTimeoutMs = redisTimeoutFlag(v['redis-timeout']);
  const positive = (value: number, flag: string) => {
    if (!(value > 0)) throw new FerkitError('BAD_ARGUMENT', `--${flag} must be above 0, got ${value}`);
    return value;
  };
  const concurrency = positive(intFlag(v.concurrency, 'concurrency', 1), 'concurrency');
  const worker = await startWorker({
    redis,
    ...(v.queue ? { queue: v.queue } : {}),
    concurrency,
    recognizer: recognizerOptions(v),
    readRoots: v.read ?? [],
    limits: {
      bytes: Math.round(positive(numFlag(v['max-mb'], 'max-mb', DEFAULT_INPUT_LIMITS.bytes / 2 ** 20), 'max-mb') * 2 ** 20),
      pixels: positive(intFlag(v['max-pixels'], 'max-pixels', DEFAULT_INPUT_LIMITS.pixels), 'max-pixels'),
      videoBytes: Math.round(positive(numFlag(v['max-video-mb'], 'max-video-mb', DEFAULT_INPUT_LIMITS.videoBytes / 2 ** 20), 'max-video-mb') * 2 ** 20),
    },
    ...(v['allow-hosts'] ? { allowHosts: v['allow-hosts'] } : {}),
    lockDurationMs: positive(intFlag(v['lock-ms'], 'lock-ms', 30_000), 'lock-ms'),
    stalledIntervalMs: positive(intFlag(v['stalled-ms'], 'stalled-ms', 30_000), 'stalled-ms'),
    connectTimeoutMs,
    videoLimits: {
      maxSegments: positive(intFlag(v['max-segments'], 'max-segments', DEFAULT_VIDEO_LIMITS.maxSegments), 'max-segments'),
      maxSeconds: positive(numFlag(v['max-video-seconds'], 'max-video-seconds', DEFAULT_VIDEO_LIMITS.maxSeconds), 'max-video-seconds'),
      maxLiveSeconds: positive(numFlag(v['max-live-seconds'], 'max-live-seconds', DEFAULT_VIDEO_LIMITS.maxLiveSeconds), 'max-live-seconds'),
      readTimeoutMs: positive(numFlag(v['read-timeout'], 'read-timeout', DEFAULT_VIDEO_LIMITS.readTimeoutMs / 1000), 'read-timeout') * 1000,
    },
    log: (line) => log(`ferkit worker: ${line}`),
  });
  log(`ferkit worker: ready (pid ${process.pid}, queue ${v.queue ?? DEFAULT_QUEUE} on ${redactUrl(redis)}, model ${worker.model}, concurrency ${concurrency})`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      log('ferkit worker: stopping: the jobs in hand go back to the queue (again to quit at once)');
      // a second signal quits at once; the jobs' locks then run out and other workers take them
      process.once('SIGTERM', () => process.exit(143));
      process.once('SIGINT', () => process.exit(130));
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await worker.close();
  return 0;
}
