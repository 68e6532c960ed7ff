import { readFileSync, existsSync, statSync } from 'node:fs';
import { FerkitError } from '../core/errors.js';
import { FERPLUS_COLUMNS, FERPLUS_TO_FER, NUM_CLASSES, emotionIndex } from '../core/labels.js';
import type { Dataset } from './dataset.js';
import { makeDataset, subset } from './dataset.js';
import { argmaxAt } from '../core/numeric.js';

/** FER+ crowd votes, one row per FER2013 data row (same order as the CSV). */
export interface FerPlusVotes {
  /** rows * 10 vote counts, columns as in FERPLUS_COLUMNS. */
  readonly votes: Float32Array;
  /** Whether each row has votes (rows with an empty image name have none). */
  readonly hasVotes: Uint8Array;
  readonly rows: number;
}

/** The largest FER+ file read: 64 MiB. */
const MAX_FERPLUS_BYTES = 64 * 2 ** 20;
const short = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}... (${s.length} characters)` : s);

/** Reads `fer2013new.csv` (Usage,Image name,neutral,...,NF). */
export function readFerPlus(file: string): FerPlusVotes {
  if (!existsSync(file)) throw new FerkitError('DATA_NOT_FOUND', `no such FER+ file: ${file}. Pass the path of fer2013new.csv.`, { file });
  // fer2013new.csv is about 1 MB: a file hundreds of times larger is not one
  if (statSync(file).size > MAX_FERPLUS_BYTES) {
    throw new FerkitError('BAD_DATA', `${file} is over ${MAX_FERPLUS_BYTES / 2 ** 20} MiB; FER+ votes (fer2013new.csv) take about 1 MB`, { file });
  }
  const lines = readFileSync(file, 'latin1').split(/\r?\n/);
  const header = lines[0].split(',').map((s) => s.trim().toLowerCase());
  const cols = FERPLUS_COLUMNS.map((c) => header.indexOf(c.toLowerCase()));
  const nameCol = header.indexOf('image name');
  if (cols.some((c) => c < 0) || nameCol < 0) {
    throw new FerkitError('BAD_DATA', `${file}: header must have "Image name" and the columns ${FERPLUS_COLUMNS.join(', ')}`, { file, row: 1 });
  }
  while (lines.length > 1 && lines[lines.length - 1].trim() === '') lines.pop();
  const rows = lines.length - 1;
  const votes = new Float32Array(rows * FERPLUS_COLUMNS.length);
  const hasVotes = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const f = lines[r + 1].split(',');
    if ((f[nameCol] ?? '').trim() === '') continue;
    for (let c = 0; c < cols.length; c++) {
      const v = Number(f[cols[c]]);
      if (!Number.isFinite(v) || v < 0)
        throw new FerkitError('BAD_DATA', `${file}, line ${r + 2}: vote "${short(f[cols[c]] ?? '')}" for ${FERPLUS_COLUMNS[c]} is not a count`, {
          file,
          row: r + 2,
        });
      votes[r * cols.length + c] = v;
    }
    hasVotes[r] = 1;
  }
  return { votes, hasVotes, rows };
}

export interface FerPlusOptions {
  /** Drop images most voters marked as not a face (NF). Default true. */
  dropNotFace?: boolean;
  /** Drop images without votes. Default true. */
  dropUnvoted?: boolean;
  /**
   * Drop images whose most-voted FER+ column is not one of the seven
   * emotions (contempt, unknown or not a face): they have no right answer
   * for a seven-class model, as in FER+'s majority-vote evaluation.
   * Default false (training keeps them, with their emotion votes as soft labels).
   */
  dropOtherMajority?: boolean;
}

/** What `withFerPlus` left out, by reason. */
export interface FerPlusDropped {
  notFace: number;
  unvoted: number;
  /** Most votes for contempt, unknown or not a face (only with `dropOtherMajority`). */
  otherMajority: number;
}

/**
 * Attaches FER+ soft labels (the votes over the seven FER2013 classes,
 * normalised; contempt and unknown votes ignored) to a dataset read from the
 * FER2013 CSV, aligned by data row; the hard label becomes the majority vote.
 * Images that FER+ marks as not a face, or that have no usable vote, are
 * dropped (and, with `dropOtherMajority`, those most voters put outside the
 * seven emotions).
 */
export function withFerPlus(ds: Dataset, fp: FerPlusVotes, options: FerPlusOptions = {}): { dataset: Dataset; dropped: FerPlusDropped } {
  const dropNotFace = options.dropNotFace ?? true;
  const dropUnvoted = options.dropUnvoted ?? true;
  const dropOtherMajority = options.dropOtherMajority ?? false;
  const nc = FERPLUS_COLUMNS.length;
  const nfCol = FERPLUS_COLUMNS.indexOf('NF');
  const soft = new Float32Array(ds.count * NUM_CLASSES);
  const labels = Int32Array.from(ds.labels);
  const keep: number[] = [];
  let notFace = 0,
    unvoted = 0,
    otherMajority = 0;
  for (let i = 0; i < ds.count; i++) {
    const r = ds.rows[i];
    if (r < 0 || r >= fp.rows) throw new FerkitError('BAD_DATA', `image ${ds.ids[i]} has no FER+ row (FER+ votes align with FER2013 CSV rows only)`);
    const v = fp.votes.subarray(r * nc, (r + 1) * nc);
    const total = v.reduce((a, b) => a + b, 0);
    if (dropNotFace && fp.hasVotes[r] && v[nfCol] > total / 2) {
      notFace++;
      continue;
    }
    if (dropOtherMajority && fp.hasVotes[r] && !FERPLUS_TO_FER[argmaxAt(v, 0, nc)]) {
      otherMajority++;
      continue;
    }
    let sum = 0;
    for (let c = 0; c < nc; c++) {
      const e = FERPLUS_TO_FER[c];
      if (e) {
        soft[i * NUM_CLASSES + emotionIndex(e)] += v[c];
        sum += v[c];
      }
    }
    if (!fp.hasVotes[r] || sum === 0) {
      if (dropUnvoted) {
        unvoted++;
        continue;
      }
      soft[i * NUM_CLASSES + ds.labels[i]] = 1;
      keep.push(i);
      continue;
    }
    for (let k = 0; k < NUM_CLASSES; k++) soft[i * NUM_CLASSES + k] /= sum;
    labels[i] = argmaxAt(soft, i * NUM_CLASSES, NUM_CLASSES);
    keep.push(i);
  }
  const full = makeDataset({ pixels: ds.pixels, labels, ids: ds.ids, rows: ds.rows, soft });
  return { dataset: keep.length === ds.count ? full : subset(full, keep), dropped: { notFace, unvoted, otherMajority } };
}
