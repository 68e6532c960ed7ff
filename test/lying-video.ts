/** Videos whose header lies about their length: a Matroska file with its Duration element rewritten. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small Matroska video (H.264, `seconds` long, `width` x `height` at 10 frames a second), made with ffmpeg; noise makes it large. */
export function matroskaVideo(seconds: number, options: { width?: number; height?: number; noise?: boolean } = {}): Buffer {
  const { width = 64, height = 48, noise = false } = options;
  const source = noise ? `nullsrc=s=${width}x${height}:d=${seconds}:r=10,geq=random(1)*255:128:128` : `testsrc=s=${width}x${height}:d=${seconds}:r=10`;
  // written to a file, not a pipe: the muxer writes the Duration element once it knows the length
  const dir = mkdtempSync(join(tmpdir(), 'ferkit-mkv-'));
  try {
    const file = join(dir, 'v.mkv');
    const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', source, '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', file]);
    if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr.toString()}`);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `mkv` with the duration its header claims set to `seconds` (any double:
 * NaN, negative, 1e12): the Segment's Duration element (ID 0x4489, 8-byte
 * float, in the default timecode scale of milliseconds) rewritten in place.
 */
export function claimDuration(mkv: Uint8Array, seconds: number): Buffer {
  const b = Buffer.from(mkv);
  const at = b.indexOf(Buffer.from([0x44, 0x89, 0x88]));
  if (at < 0) throw new Error('no 8-byte Duration element in this Matroska file');
  b.writeDoubleBE(seconds * 1000, at + 3);
  return b;
}
