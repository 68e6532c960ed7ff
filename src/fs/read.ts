/**
 * Reading the files of a model folder that may come from a stranger: only
 * regular files that lie inside the folder once every link is followed (no
 * link out of it, no device, FIFO or socket), opened without blocking and
 * measured on the opened handle before a byte is read, so that a FIFO
 * cannot hang the load, `/dev/zero` cannot fill the memory and a file
 * cannot grow between the check and the read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { excerpt, FerkitError } from '../core/errors.js';
import type { ModelFiles } from '../core/files.js';

/** The most bytes any model file may hold: 2 GiB, the most a typed array holds. Weight files are held to what model.json's weights need. */
export const MAX_MODEL_FILE_BYTES = 2 ** 31 - 1;

// Windows has neither flag: there a FIFO or a link cannot be made by an ordinary user
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

function bad(dir: string, problem: string, cause?: unknown): FerkitError {
  return new FerkitError('BAD_MODEL', `${dir}: ${problem}`, { file: dir, ...(cause === undefined ? {} : { cause }) });
}

/** `path` (relative to `dir`) resolved, lexically inside `dir`. */
function lexical(dir: string, path: string): string {
  const full = resolve(dir, path);
  const rel = relative(resolve(dir), full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
    throw bad(dir, `"${excerpt(path)}" lies outside the model's folder; only files inside it are read`);
  return full;
}

/** The file a link leads to must lie inside the folder (itself resolved: a folder reached through a link is fine). */
function checkInside(dir: string, realDir: string, real: string, path: string): void {
  const rel = relative(realDir, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw bad(
      dir,
      `${excerpt(path)} is a link to ${excerpt(real, 80)}, outside the model's folder; only files inside it are read. Copy the file into the folder`,
    );
  }
}

/** What the opened file must be: a regular file of at most `maxBytes`. */
function checkStats(dir: string, path: string, st: Stats, maxBytes: number): void {
  if (!st.isFile()) {
    const kind = st.isFIFO()
      ? 'a FIFO'
      : st.isCharacterDevice() || st.isBlockDevice()
        ? 'a device'
        : st.isSocket()
          ? 'a socket'
          : st.isDirectory()
            ? 'a folder'
            : 'not a file';
    throw bad(dir, `${excerpt(path)} is ${kind}, not a regular file; a model's files are ordinary files inside its folder`);
  }
  if (st.size > maxBytes) {
    throw bad(
      dir,
      `${excerpt(path)} holds ${st.size.toLocaleString('en-US')} bytes, more than the ${maxBytes.toLocaleString('en-US')} it may hold; the file is damaged or comes from another model`,
    );
  }
}

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR';

/**
 * The bytes of the file `path` (relative to the model folder `dir`), or
 * undefined when there is none; a BAD_MODEL error when it lies outside the
 * folder, is no regular file or holds more than `maxBytes`.
 */
export async function readModelFile(dir: string, path: string, maxBytes = MAX_MODEL_FILE_BYTES): Promise<Uint8Array | undefined> {
  const full = lexical(dir, path);
  let real: string;
  try {
    real = await realpath(full);
  } catch (err) {
    if (missing(err)) return undefined;
    throw bad(dir, `cannot read ${excerpt(path)} (${(err as Error).message})`, err);
  }
  checkInside(dir, await realpath(dir), real, path);
  let handle;
  try {
    handle = await open(real, OPEN_FLAGS);
  } catch (err) {
    throw bad(dir, `cannot read ${excerpt(path)} (${(err as Error).message})`, err);
  }
  try {
    const st = await handle.stat();
    checkStats(dir, path, st, maxBytes);
    const bytes = new Uint8Array(st.size);
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await handle.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === bytes.length ? bytes : bytes.subarray(0, at);
  } finally {
    await handle.close();
  }
}

/** `readModelFile`, synchronously (for `ferkit info`, fingerprints and other quick looks at a folder). */
export function readModelFileSync(dir: string, path: string, maxBytes = MAX_MODEL_FILE_BYTES): Uint8Array | undefined {
  const full = lexical(dir, path);
  let real: string;
  try {
    real = realpathSync(full);
  } catch (err) {
    if (missing(err)) return undefined;
    throw bad(dir, `cannot read ${excerpt(path)} (${(err as Error).message})`, err);
  }
  checkInside(dir, realpathSync(dir), real, path);
  let fd: number;
  try {
    fd = openSync(real, OPEN_FLAGS);
  } catch (err) {
    throw bad(dir, `cannot read ${excerpt(path)} (${(err as Error).message})`, err);
  }
  try {
    const st = fstatSync(fd);
    checkStats(dir, path, st, maxBytes);
    const bytes = new Uint8Array(st.size);
    let at = 0;
    while (at < bytes.length) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === bytes.length ? bytes : bytes.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

/** The files of a model folder: only regular files inside it, measured before they are read (`readModelFile`). */
export function folderFiles(dir: string): ModelFiles {
  return {
    location: dir,
    read: (path: string, maxBytes?: number) => readModelFile(dir, path, maxBytes),
  };
}
