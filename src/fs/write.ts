/**
 * Writing files in Node so that a crash or a power cut leaves either the old
 * file or the new one, never half of one: model folders, checkpoints,
 * training logs. The one place ferkit writes files durably.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes a file and flushes it to the disk before returning. */
export function writeFileDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a folder's entries (new names, renames) to the disk; a no-op where folders cannot be synced. */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open or fsync a folder
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes a file atomically and durably: to a temporary name, flushed, renamed, and the rename flushed. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileDurable(tmp, data);
  renameSync(tmp, path);
  syncDir(dirname(path));
}
