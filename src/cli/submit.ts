import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { IMAGE_EXTENSIONS } from '../data/folder.js';
import { JobClient, type JobStatus, type SubmitInput } from '../queue/client.js';
import { DEFAULT_JOB_DEFAULTS, DEFAULT_QUEUE, type PicturesResult, type VideoJobOptions, type VideoResult } from '../queue/jobs.js';
import { expandInputs } from './files.js';
import { intFlag, numFlag, parseFlags, type FlagValues } from './args.js';
import { booleanFlags, stringFlags } from './option-groups.js';
import { StatusLine } from './terminal.js';
import { redisFlag, redisTimeoutFlag } from './worker.js';

export const SUBMIT_HELP = `ferkit submit --redis URL [--wait] FILE|DIR|URL... [options]

Puts pictures and videos on the queue that \`ferkit worker\` processes take
jobs from: a job per file (a directory gives its pictures). Files are
uploaded to Redis (and removed once their job is done) unless --paths sends
their paths, for workers that share the files; URLs (http, https) are
fetched by the workers. Prints a JSON line per job, {file, id}; with
--wait, prints each job's result as it finishes instead, as JSON Lines: a
picture as \`ferkit predict --json\` does, a video as \`ferkit video --json\`
does (each line with its file), then a line {file, summary}. A failed job
prints its file and {error: {code, message}}; the exit code is then 1.

  --redis URL          the queue's Redis: redis://[:password@]host:port[/db] (or FERKIT_REDIS)
  --redis-timeout S    give up when Redis cannot be reached within S seconds (default 10, or
                       FERKIT_REDIS_TIMEOUT)
  --queue NAME         queue name (default ${DEFAULT_QUEUE})
  --wait               wait for the jobs and print their results
  --paths              send absolute paths instead of the bytes (workers started with --read DIR)
  --fps N              video frames sampled per second (default 5)
  --smoothing S        video: half-life of the smoothing in seconds (default 0.5; 0 = off)
  --max-side N         video: scale frames down to this longest side (default 1280)
  --segment S          video: seconds per segment analysed by one worker (default 60)
  --detect-every S     video: search whole frames for faces every S seconds and follow each face in
                       between (default 0.5; 0 = search every sampled frame)
  --keep S             seconds a result stays in Redis (default ${DEFAULT_JOB_DEFAULTS.keepSeconds})
  --attempts N         attempts for a job that fails for a transient cause (default ${DEFAULT_JOB_DEFAULTS.attempts})
  --backoff-ms N       first wait before a retry, doubled each time (default ${DEFAULT_JOB_DEFAULTS.backoffMs})
  --max-upload-mb N    largest file uploaded (default 100; larger ones: --paths or a URL)

examples:
  ferkit submit --redis redis://10.0.0.5:6379 --wait photos/ > results.jsonl
  ferkit submit --redis redis://10.0.0.5:6379 --paths /mnt/recordings/class-12.mp4
  ferkit submit --redis redis://10.0.0.5:6379 --wait https://media.example.com/call.mp4`;

const isUrl = (s: string) => /^https?:\/\//i.test(s);
const isPicture = (s: string) => IMAGE_EXTENSIONS.includes(extname(new URL(s, 'file:///').pathname).toLowerCase());

const SUBMIT_FLAGS = {
  ...stringFlags('redis', 'queue', 'fps', 'smoothing', 'max-side', 'segment', 'detect-every', 'keep', 'attempts', 'backoff-ms', 'max-upload-mb'),
  ...stringFlags('redis-timeout'),
  ...booleanFlags('wait', 'paths'),
};

type SubmitFlags = FlagValues<typeof SUBMIT_FLAGS>;

/** The video flags as a video job's options: only those given (the worker has defaults). */
function videoJobOptions(v: SubmitFlags): VideoJobOptions {
  return {
    ...(v.fps !== undefined ? { fps: numFlag(v.fps, 'fps', 5) } : {}),
    ...(v.smoothing !== undefined ? { smoothing: numFlag(v.smoothing, 'smoothing', 0.5) } : {}),
    ...(v['max-side'] !== undefined ? { maxSide: intFlag(v['max-side'], 'max-side', 1280) } : {}),
    ...(v.segment !== undefined ? { segmentSeconds: numFlag(v.segment, 'segment', 60) } : {}),
    ...(v['detect-every'] !== undefined ? { detectEvery: numFlag(v['detect-every'], 'detect-every', 0.5) } : {}),
  };
}

export async function submitCommand(argv: string[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const { values: v, positionals } = parseFlags(argv, SUBMIT_FLAGS, true);
  const redis = redisFlag(v.redis);
  const connectTimeoutMs = redisTimeoutFlag(v['redis-timeout']);
  if (positionals.length === 0) throw new FerkitError('BAD_ARGUMENT', 'submit needs at least one FILE, DIR or URL');
  const urls = positionals.filter(isUrl);
  const { files, missing } = expandInputs(positionals.filter((p) => !isUrl(p)));
  for (const m of missing) {
    log(`error: ${m}: no such file, directory or matching glob`);
    out(JSON.stringify({ file: m, error: { code: 'DATA_NOT_FOUND', message: `${m}: no such file, directory or matching glob` } }) + '\n');
  }
  const how = {
    paths: Boolean(v.paths),
    wait: Boolean(v.wait),
    maxUpload: numFlag(v['max-upload-mb'], 'max-upload-mb', 100) * 2 ** 20,
    video: videoJobOptions(v),
  };
  const client = new JobClient({
    redis,
    connectTimeoutMs,
    log: (line) => log(`ferkit submit: ${line}`),
    ...(v.queue ? { queue: v.queue } : {}),
    defaults: {
      keepSeconds: intFlag(v.keep, 'keep', DEFAULT_JOB_DEFAULTS.keepSeconds),
      attempts: intFlag(v.attempts, 'attempts', DEFAULT_JOB_DEFAULTS.attempts),
      backoffMs: intFlag(v['backoff-ms'], 'backoff-ms', DEFAULT_JOB_DEFAULTS.backoffMs),
    },
  });
  try {
    // an unreachable Redis fails here, in seconds, before any file is read
    await client.ready();
    const jobs = await submitAll(client, [...files, ...urls], how, out);
    if (!v.wait) {
      log(`submitted ${jobs.length} job(s)`);
      return missing.length ? 1 : 0;
    }
    const failed = missing.length + (await waitForAll(client, jobs, log, out));
    log(`${jobs.length} job(s), ${failed} failed`);
    return failed ? 1 : 0;
  } finally {
    await client.close();
  }
}

/** Puts a job per input on the queue: bytes uploaded, or a path (--paths), or a URL; without --wait, prints each {file, id}. */
async function submitAll(
  client: JobClient,
  inputs: string[],
  v: { paths: boolean; wait: boolean; maxUpload: number; video: VideoJobOptions },
  out: (s: string) => void,
): Promise<{ file: string; id: string }[]> {
  const jobs: { file: string; id: string }[] = [];
  for (const file of inputs) {
    let input: SubmitInput;
    if (isUrl(file)) input = { name: file, url: file };
    else if (v.paths) input = { name: file, path: resolve(file) };
    else {
      const size = statSync(file).size;
      if (size > v.maxUpload)
        throw new FerkitError(
          'BAD_ARGUMENT',
          `${file}: ${(size / 2 ** 20).toFixed(0)} MB, over the upload limit; send its path with --paths (workers with --read) or a URL, or raise --max-upload-mb`,
        );
      input = { name: file, bytes: readFileSync(file) };
    }
    const id = isPicture(file) ? await client.submitPictures([input]) : await client.submitVideo(input, v.video);
    jobs.push({ file, id });
    if (!v.wait) out(JSON.stringify({ file, id }) + '\n');
  }
  return jobs;
}

/** Waits for the jobs, printing each result as soon as its job finishes, whatever the order; the number that failed. */
async function waitForAll(client: JobClient, jobs: { file: string; id: string }[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const status = new StatusLine();
  let done = 0,
    failed = 0;
  await Promise.all(
    jobs.map(async ({ file, id }) => {
      const s = await client.wait(id);
      done++;
      status.show(`${done}/${jobs.length} jobs done`);
      if (!printResult(file, s, out)) {
        failed++;
        log(`${status.prefix}error: ${file}: ${s.error?.message ?? s.state}`);
      }
    }),
  );
  status.clear();
  return failed;
}

/** Prints a finished job's result as JSON Lines; false when it failed. */
function printResult(file: string, s: JobStatus, out: (s: string) => void): boolean {
  if (s.state !== 'completed' || !s.result) {
    out(JSON.stringify({ file, ...(s.kind === 'pictures' ? { faces: [] } : {}), error: s.error ?? { code: 'UNAVAILABLE', message: s.state } }) + '\n');
    return false;
  }
  if (s.result.kind === 'pictures') {
    for (const p of (s.result as PicturesResult).pictures) out(JSON.stringify({ ...p, file }) + '\n');
    return true;
  }
  const r = s.result as VideoResult;
  out(r.timeline.map((rec) => JSON.stringify({ file, ...rec })).join('\n') + (r.timeline.length ? '\n' : ''));
  out(JSON.stringify({ file, summary: r.summary }) + '\n');
  return true;
}
