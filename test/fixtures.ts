/** Helpers shared by the tests: temporary folders, synthetic faces, the shared data location. */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PIXELS_PER_IMAGE } from '../src/core/image/preprocess.js';
import { FERPLUS_COLUMNS } from '../src/core/labels.js';

export function tempDir(prefix = 'ferkit-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The project root (this module runs from dist/test/). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ../shared/data beside the project, where the reference datasets live. */
export const SHARED_DATA = process.env.FERKIT_SHARED_DATA ?? resolve(PROJECT_ROOT, '..', 'shared', 'data');
export const FER_CSV = join(SHARED_DATA, 'fer2013', 'fer2013.csv.gz');
export const FER_IMAGES = join(SHARED_DATA, 'fer2013-images');
export const FERPLUS_CSV = join(SHARED_DATA, 'ferplus', 'fer2013new.csv');
/** The header line of a FER+ votes file (fer2013new.csv). */
export const FERPLUS_HEADER = ['Usage', 'Image name', ...FERPLUS_COLUMNS].join(',');

/** `false` when the file exists, else a skip message for node:test. */
export function needs(path: string, what = 'the shared reference data in ../shared/data'): string | false {
  return existsSync(path) ? false : `needs ${path} (${what}); absent here`;
}

/** A CSV row of 48x48 pixels all equal to `value` (or from a generator). */
export function csvRow(label: number | string, pixel: (i: number) => number, usage = 'Training', count = PIXELS_PER_IMAGE): string {
  return `${label},${Array.from({ length: count }, (_, i) => pixel(i)).join(' ')},${usage}`;
}

/**
 * A small synthetic dataset whose classes are easy to tell apart (class c is
 * a bright bar at row band c on a noisy background), for training tests.
 */
export function syntheticFaces(perClass: number, classes = 7, seed = 1): { pixels: Uint8Array; labels: Int32Array } {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const n = perClass * classes;
  const pixels = new Uint8Array(n * PIXELS_PER_IMAGE);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < 48; x++) {
        const bar = y >= c * 6 + 3 && y < c * 6 + 8;
        pixels[i * PIXELS_PER_IMAGE + y * 48 + x] = Math.min(255, Math.floor((bar ? 180 : 40) + rnd() * 60));
      }
    }
  }
  return { pixels, labels };
}

/** One scene of a test video: a still picture shown for `seconds`, still or moving. */
export interface VideoScene {
  picture: string;
  seconds: number;
  /**
   * A camera move over the scene: the picture (cut to the video's shape)
   * zoomed from `zoom[0]` to `zoom[1]` (1: the whole picture) while the
   * view pans from `x[0]` to `x[1]` and `y[0]` to `y[1]` (0: the left or top
   * edge, 1: the right or bottom, within the room the zoom leaves).
   */
  move?: { zoom: [number, number]; x: [number, number]; y: [number, number] };
}

/**
 * Writes a test video of still pictures shown one after the other, each
 * scaled to `width` x `height` (square pixels) at `fps`, with ffmpeg (which
 * must be installed); `format` forces a container (such as `mpegts`),
 * else the file's extension chooses it. Returns `file`.
 */
export function testVideo(file: string, scenes: readonly VideoScene[], options: { width: number; height: number; fps: number; format?: string }): string {
  const { width: w, height: h, fps } = options;
  const inputs = scenes.flatMap((s) => (s.move ? ['-i', s.picture] : ['-loop', '1', '-t', String(s.seconds), '-i', s.picture]));
  const scale = `scale=${w}:${h},setsar=1,fps=${fps}`;
  const moving = (s: VideoScene) => {
    const { zoom, x, y } = s.move!;
    const n = Math.max(2, Math.round(s.seconds * fps));
    const t = `on/${n - 1}`;
    const z = `${zoom[0]}+${zoom[1] - zoom[0]}*${t}`;
    // cut to the video's shape at twice its size (zoompan moves by whole pixels: smaller steps at the output's size)
    const cover = `scale=${2 * w}:${2 * h}:force_original_aspect_ratio=increase,crop=${2 * w}:${2 * h}`;
    return `${cover},zoompan=z='${z}':x='(iw-iw/zoom)*(${x[0]}+${x[1] - x[0]}*${t})':y='(ih-ih/zoom)*(${y[0]}+${y[1] - y[0]}*${t})':d=${n}:s=${w}x${h}:fps=${fps},setsar=1`;
  };
  const filter =
    scenes.map((s, i) => `[${i}:v]${s.move ? moving(s) : scale}[s${i}]`).join(';') +
    `;${scenes.map((_, i) => `[s${i}]`).join('')}concat=n=${scenes.length}:v=1[v]`;
  const p = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-y', ...inputs, '-filter_complex', filter, '-map', '[v]', '-pix_fmt', 'yuv420p', ...(options.format ? ['-f', options.format] : []), file],
    { encoding: 'utf8' },
  );
  if (p.status !== 0) throw new Error(`ffmpeg could not write ${file}: ${p.stderr || p.error?.message}`);
  return file;
}
