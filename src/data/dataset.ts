import { FerkitError } from '../core/errors.js';
import { NUM_CLASSES } from '../core/labels.js';
import { PIXELS_PER_IMAGE } from '../core/image/preprocess.js';

/**
 * A labelled set of 48x48 grey faces, kept as bytes (0..255) to save memory;
 * they are normalised to [0,1] when batched for a model.
 */
export interface Dataset {
  /** count * 48 * 48 grey values, row-major, one image after the other. */
  readonly pixels: Uint8Array;
  /** Class index 0..6 (FER2013 order) of each image. */
  readonly labels: Int32Array;
  /** Number of images. */
  readonly count: number;
  /** Where each image came from: `file.csv:row` or an image path. */
  readonly ids: readonly string[];
  /** 0-based data row in the source CSV (for aligning FER+ votes); -1 for image files. */
  readonly rows: Int32Array;
  /** Optional soft labels, count * 7, each row summing to 1 (e.g. FER+ votes). */
  readonly soft?: Float32Array;
}

/** What a reader skipped (with `skipBad`) and why. */
export interface ReadReport {
  /** Images read. */
  read: number;
  /** Bad rows or files skipped. */
  skipped: number;
  /** The first few skipped items with the reason, for the user. */
  skippedExamples: string[];
  /** Things worth telling the user (folders that match no label, ...). */
  warnings: string[];
}

export function emptyReport(): ReadReport {
  return { read: 0, skipped: 0, skippedExamples: [], warnings: [] };
}

/** Records one skipped item in a report. */
export function noteSkipped(report: ReadReport, what: string): void {
  report.skipped++;
  if (report.skippedExamples.length < 10) report.skippedExamples.push(what);
}

/** Builds a dataset from parts, checking that they agree. */
export function makeDataset(parts: { pixels: Uint8Array; labels: Int32Array; ids: readonly string[]; rows?: Int32Array; soft?: Float32Array }): Dataset {
  const count = parts.labels.length;
  if (parts.pixels.length !== count * PIXELS_PER_IMAGE) {
    throw new FerkitError('BAD_DATA', `dataset has ${count} labels but ${parts.pixels.length / PIXELS_PER_IMAGE} images`);
  }
  if (parts.ids.length !== count) throw new FerkitError('BAD_DATA', `dataset has ${count} labels but ${parts.ids.length} ids`);
  const rows = parts.rows ?? new Int32Array(count).fill(-1);
  if (parts.soft && parts.soft.length !== count * NUM_CLASSES) throw new FerkitError('BAD_DATA', 'soft labels do not match the number of images');
  return parts.soft
    ? { pixels: parts.pixels, labels: parts.labels, count, ids: parts.ids, rows, soft: parts.soft }
    : { pixels: parts.pixels, labels: parts.labels, count, ids: parts.ids, rows };
}

/** The images at the given indices, as a new dataset (pure). */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const n = indices.length;
  const pixels = new Uint8Array(n * PIXELS_PER_IMAGE);
  const labels = new Int32Array(n);
  const rows = new Int32Array(n);
  const ids: string[] = new Array(n);
  const soft = ds.soft ? new Float32Array(n * NUM_CLASSES) : undefined;
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    if (i < 0 || i >= ds.count) throw new FerkitError('BAD_ARGUMENT', `subset index ${i} outside 0..${ds.count - 1}`);
    pixels.set(ds.pixels.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE), k * PIXELS_PER_IMAGE);
    labels[k] = ds.labels[i];
    rows[k] = ds.rows[i];
    ids[k] = ds.ids[i];
    if (soft && ds.soft) soft.set(ds.soft.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES), k * NUM_CLASSES);
  }
  return makeDataset({ pixels, labels, ids, rows, ...(soft ? { soft } : {}) });
}

/** Joins datasets one after the other (pure). */
export function concat(...sets: Dataset[]): Dataset {
  const count = sets.reduce((s, d) => s + d.count, 0);
  const pixels = new Uint8Array(count * PIXELS_PER_IMAGE);
  const labels = new Int32Array(count);
  const rows = new Int32Array(count);
  const ids: string[] = [];
  const withSoft = sets.length > 0 && sets.every((d) => d.soft);
  const soft = withSoft ? new Float32Array(count * NUM_CLASSES) : undefined;
  let off = 0;
  for (const d of sets) {
    pixels.set(d.pixels, off * PIXELS_PER_IMAGE);
    labels.set(d.labels, off);
    rows.set(d.rows, off);
    if (soft && d.soft) soft.set(d.soft, off * NUM_CLASSES);
    ids.push(...d.ids);
    off += d.count;
  }
  return makeDataset({ pixels, labels, ids, rows, ...(soft ? { soft } : {}) });
}

/** Number of images of each class (pure). */
export function classCounts(labels: ArrayLike<number>, numClasses: number = NUM_CLASSES): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}
