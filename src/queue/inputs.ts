/**
 * How a worker reads a job's input: uploaded bytes from Redis, a file under
 * the folders it was allowed to read, or an http(s) URL. A missing or bad
 * input is a FerkitError (the job fails at once); a network fault or a
 * server error is a plain Error (the job is retried).
 */
import { mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Redis } from 'ioredis';
import { FerkitError } from '../errors.js';
import { SERVICE_FORMATS } from '../image/limits.js';
import { checkedPicture } from '../node/decode.js';
import { getBlob } from './blobs.js';
import type { JobInput } from './jobs.js';

export interface InputLimits {
  /** Largest picture or video read from a file or URL, in bytes. Default 20 MiB for pictures. */
  bytes: number;
  /** Largest picture in pixels (width x height), checked from its header. Default 16 million. */
  pixels: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = { bytes: 20 * 2 ** 20, pixels: 16_000_000 };

export interface InputContext {
  redis: Redis;
  /** Folders under which jobs may name files; none: jobs may not name files. */
  readRoots: readonly string[];
  limits: InputLimits;
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

/** GETs a URL; a server error or no answer is transient (retried), a client error is a bad input. */
async function fetchUrl(url: string, name: string, init: RequestInit = {}): Promise<Response> {
  if (!/^https?:\/\//i.test(url)) throw new FerkitError('BAD_ARGUMENT', `${name}: jobs read http and https URLs only`, { file: name });
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    throw new Error(`${name}: no answer (${(err as Error).message}); will retry`, { cause: err });
  }
  if (res.status >= 500 || res.status === 429 || res.status === 408) throw new Error(`${name}: the server answered ${res.status}; will retry`);
  if (!res.ok) throw new FerkitError('DATA_NOT_FOUND', `${name}: the server answered ${res.status}`, { file: name });
  return res;
}

/** Reads a body, up to `limit` bytes. */
async function readBody(res: Response, limit: number, name: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limit) throw new FerkitError('BAD_IMAGE', `${name}: ${declared} bytes, over the limit of ${limit}`, { file: name });
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of (res.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
    total += (chunk as Uint8Array).length;
    if (total > limit) throw new FerkitError('BAD_IMAGE', `${name}: over the limit of ${limit} bytes`, { file: name });
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

/**
 * A picture's bytes, checked before decoding by the service's own check
 * (src/image/limits.ts: JPEG, PNG or WebP, within the pixel, side,
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
  } else bytes = await readBody(await fetchUrl(source.url, name), ctx.limits.bytes, name);
  await checkedPicture(bytes, { maxPixels: ctx.limits.pixels, formats: SERVICE_FORMATS }, name);
  return bytes;
}

/**
 * Where ffmpeg can read a job's video: the URL (checked to answer first, so
 * that a server that is down is a transient failure), the allowed file, or
 * uploaded bytes written to a temporary file that `release` removes.
 */
export async function videoLocation(input: JobInput, ctx: InputContext): Promise<{ location: string; release: () => Promise<void> }> {
  const { source, name } = input;
  if ('url' in source) {
    const res = await fetchUrl(source.url, name, { headers: { range: 'bytes=0-0' } });
    await res.body?.cancel();
    return { location: source.url, release: async () => {} };
  }
  if ('path' in source) return { location: await allowedPath(source.path, ctx.readRoots, name), release: async () => {} };
  const bytes = await getBlob(ctx.redis, source.blob, name);
  const dir = await mkdtemp(join(tmpdir(), 'ferkit-job-'));
  const location = join(dir, 'video');
  await writeFile(location, bytes);
  return { location, release: () => rm(dir, { recursive: true, force: true }) };
}
