/**
 * How a worker reads a job's input: uploaded bytes from Redis, a file under
 * the folders it was allowed to read, or an http(s) URL fetched through
 * video/fetch-guard.ts (public addresses only, unless allowed; redirects
 * checked). ffmpeg never sees a job's URL: a video is downloaded first, to a
 * temporary file, and ffmpeg reads that. A missing or bad input is a
 * FerkitError (the job fails at once); a network fault or a server error is
 * a plain Error (the job is retried).
 */
import { readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Redis } from 'ioredis';
import { FerkitError } from '../core/errors.js';
import { SERVICE_FORMATS } from '../core/image/limits.js';
import { checkedPicture } from '../fs/picture.js';
import { guardedGet, readLimited, saveLimited, type AllowList, type GuardedResponse } from '../video/fetch-guard.js';
import { NO_ALLOWANCE } from '../video/ip-ranges.js';
import { getBlob } from './blobs.js';
import { scratchDir } from './scratch.js';
import type { JobInput } from './jobs.js';

export interface InputLimits {
  /** Largest picture or video read from a file or URL, in bytes. Default 20 MiB for pictures. */
  bytes: number;
  /** Largest picture in pixels (width x height), checked from its header. Default 16 million. */
  pixels: number;
  /** Largest video downloaded from a URL (to a temporary file ffmpeg reads), in bytes. Default 1 GiB. */
  videoBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = { bytes: 20 * 2 ** 20, pixels: 16_000_000, videoBytes: 2 ** 30 };

export interface InputContext {
  redis: Redis;
  /** Folders under which jobs may name files; none: jobs may not name files. */
  readRoots: readonly string[];
  limits: InputLimits;
  /** Hosts and ranges job URLs may reach although they are not public (fetch-guard.ts). Default: none. */
  allow?: AllowList;
}

/** A file a job names, if it lies under one of the folders the worker may read. */
async function allowedPath(path: string, roots: readonly string[], name: string): Promise<string> {
  if (!roots.length)
    throw new FerkitError('BAD_ARGUMENT', `${name}: this worker reads no files named by jobs; upload the bytes, or start workers with a folder they may read`, {
      file: name,
      options: ['readRoots'],
    });
  if (!isAbsolute(path)) throw new FerkitError('BAD_ARGUMENT', `${name}: a job names files by absolute path`, { file: name });
  const real = await realpath(path).catch(() => {
    throw new FerkitError('DATA_NOT_FOUND', `${name}: no such file on the worker`, { file: name });
  });
  for (const root of roots) {
    const r = relative(await realpath(root).catch(() => root), real);
    if (r === '' || (!r.startsWith('..' + sep) && r !== '..' && !isAbsolute(r))) return real;
  }
  throw new FerkitError('BAD_ARGUMENT', `${name}: outside the folders this worker may read`, { file: name, options: ['readRoots'] });
}

/** GETs a URL through the guard; a server error or no answer is transient (retried), a client error or a refused address is a bad input. */
async function fetchUrl(url: string, name: string, ctx: InputContext, signal?: AbortSignal): Promise<GuardedResponse> {
  if (!/^https?:\/\//i.test(url)) throw new FerkitError('BAD_ARGUMENT', `${name}: jobs read http and https URLs only`, { file: name });
  const res = await guardedGet(url, name, { allow: ctx.allow ?? NO_ALLOWANCE, timeoutMs: 60_000, ...(signal ? { signal } : {}) });
  if (res.status >= 500 || res.status === 429 || res.status === 408) {
    res.body.destroy();
    throw new Error(`${name}: the server answered ${res.status}; will retry`);
  }
  if (res.status < 200 || res.status >= 300) {
    res.body.destroy();
    throw new FerkitError('DATA_NOT_FOUND', `${name}: the server answered ${res.status}`, { file: name });
  }
  return res;
}

/**
 * A picture's bytes, checked before decoding by the service's own check
 * (src/core/image/limits.ts: JPEG, PNG or WebP, within the pixel, side,
 * aspect-ratio and decoded-byte limits): what the service refuses, a job
 * cannot get a worker to read.
 */
export async function pictureBytes(input: JobInput, ctx: InputContext): Promise<Buffer> {
  const { source, name } = input;
  let bytes: Buffer;
  if ('blob' in source) bytes = await getBlob(ctx.redis, source.blob, name);
  else if ('path' in source) {
    const path = await allowedPath(source.path, ctx.readRoots, name);
    const st = await stat(path);
    // a FIFO or a device would block the read or never end it
    if (!st.isFile()) throw new FerkitError('BAD_IMAGE', `${name}: not a regular file; name a picture file`, { file: name });
    if (st.size > ctx.limits.bytes) throw new FerkitError('BAD_IMAGE', `${name}: ${st.size} bytes, over the limit of ${ctx.limits.bytes}`, { file: name });
    bytes = await readFile(path);
  } else bytes = await readLimited(await fetchUrl(source.url, name, ctx), ctx.limits.bytes, name);
  await checkedPicture(bytes, { maxPixels: ctx.limits.pixels, formats: SERVICE_FORMATS }, name);
  return bytes;
}

/**
 * Where ffmpeg can read a job's video: the allowed file, or a temporary file
 * (removed by `release`) holding the uploaded bytes or the URL's body,
 * downloaded through the guard up to `limits.videoBytes`. ffmpeg is given
 * local files only, so it cannot be led anywhere by a redirect or a playlist.
 */
export async function videoLocation(
  input: JobInput,
  ctx: InputContext,
  options: {
    /** Ends a download under way (the worker stopping). */
    signal?: AbortSignal;
    /** A download that brings fewer than STALL_BYTES in this many ms fails with TIMEOUT (a server that trickles). Default: none. */
    stallMs?: number;
  } = {},
): Promise<{ location: string; release: () => Promise<void> }> {
  const { source, name } = input;
  if ('path' in source) return { location: await allowedPath(source.path, ctx.readRoots, name), release: async () => {} };
  // named after this process: removed by the next worker to start should this one be killed before `release`
  const dir = await scratchDir();
  const location = join(dir, 'video');
  const release = () => rm(dir, { recursive: true, force: true });
  try {
    if ('url' in source) await download(source.url, name, ctx, location, options);
    else await writeFile(location, await getBlob(ctx.redis, source.blob, name), { mode: 0o600 });
  } catch (err) {
    await release();
    throw err;
  }
  return { location, release };
}

/** The least a video download must bring in each `stallMs` window: 16 KiB (under 7 kbit/s is no video stream). */
export const STALL_BYTES = 16 * 1024;

/**
 * Saves a URL's body to `file` through the guard, up to `limits.videoBytes`;
 * `signal` ends it, and a server that sends fewer than STALL_BYTES in any
 * `stallMs` window (one that answers and then trickles bytes) fails it with
 * TIMEOUT.
 */
async function download(url: string, name: string, ctx: InputContext, file: string, options: { signal?: AbortSignal; stallMs?: number }): Promise<void> {
  const stall = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
  let timer: NodeJS.Timeout | undefined;
  if (options.stallMs !== undefined && options.stallMs < Infinity) {
    let last = 0;
    timer = setInterval(() => {
      void stat(file).then(
        (st) => {
          if (st.size - last < STALL_BYTES) stall.abort();
          last = st.size;
        },
        () => stall.abort(),
      );
    }, options.stallMs);
  }
  try {
    await saveLimited(await fetchUrl(url, name, ctx, signal), file, ctx.limits.videoBytes, name);
  } catch (err) {
    if (stall.signal.aborted && !options.signal?.aborted)
      throw new FerkitError(
        'TIMEOUT',
        `${name}: the server sent less than ${STALL_BYTES / 1024} KiB in ${(options.stallMs ?? 0) / 1000} s; it stalled or sends too slowly: check the source, or allow a longer wait`,
        { file: name, options: ['videoLimits.readTimeoutMs'] },
      );
    throw err;
  } finally {
    clearInterval(timer);
  }
}
