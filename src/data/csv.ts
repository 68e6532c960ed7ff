import { createReadStream, existsSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { FerkitError } from '../errors.js';
import { NUM_CLASSES } from '../labels.js';
import { emptyReport, makeDataset, noteSkipped, PIXELS_PER_IMAGE, type Dataset, type ReadReport } from './dataset.js';

export interface CsvReadOptions {
  /**
   * Keep only rows whose `Usage` is one of these (case-insensitive), e.g.
   * `['Training']`. Rows with no Usage value (or a CSV without the column) are kept.
   */
  usage?: readonly string[];
  /** Skip bad rows (counted in the report) instead of stopping at the first. */
  skipBad?: boolean;
  /** Stop after this many kept rows (for quick experiments and tests). */
  limit?: number;
}

const NL = 10, CR = 13, COMMA = 44, SPACE = 32, QUOTE = 34, TAB = 9;

/** A growable byte buffer. */
class Bytes {
  buf = new Uint8Array(1 << 20);
  length = 0;
  reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let cap = this.buf.length;
    while (cap < this.length + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

class BadRow extends Error {}

/**
 * Streams a FER2013-style CSV (`emotion,pixels,Usage`, optionally gzipped,
 * header optional, columns found by name when there is a header) into a
 * dataset. A bad row (wrong pixel count, label out of range, a value that is
 * not 0..255) stops the read with an error naming the file and line, unless
 * `skipBad` is set; then it is skipped and counted in the report.
 */
export async function readFerCsv(file: string, options: CsvReadOptions = {}): Promise<{ dataset: Dataset; report: ReadReport }> {
  if (!existsSync(file)) {
    throw new FerkitError('DATA_NOT_FOUND', `no such CSV file: ${file}. Pass the path of a FER2013-style CSV (emotion,pixels,Usage), .csv or .csv.gz.`, { file });
  }
  const stream: Readable = /\.gz$/i.test(file) ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  return parseFerCsvStream(stream, file, options);
}

/** Same as readFerCsv, from any byte stream (`name` is used in messages and ids). */
export async function parseFerCsvStream(stream: Readable, name: string, options: CsvReadOptions = {}): Promise<{ dataset: Dataset; report: ReadReport }> {
  const wanted = options.usage?.map((u) => u.toLowerCase());
  const limit = options.limit ?? Infinity;
  const report = emptyReport();
  const pixels = new Bytes();
  const labels: number[] = [];
  const rows: number[] = [];
  const ids: string[] = [];
  let emotionCol = 0, pixelsCol = 1, usageCol = 2;
  let line = 0; // 1-based line number of the line being parsed
  let dataRow = -1; // 0-based data row (header excluded)
  let sawHeader = false;
  let done = false;
  const fieldStart: number[] = [];
  const fieldEnd: number[] = [];

  const splitFields = (b: Uint8Array, s: number, e: number): number => {
    let n = 0, p = s;
    for (;;) {
      let q = b.indexOf(COMMA, p);
      if (q < 0 || q > e) q = e;
      let fs = p, fe = q;
      while (fs < fe && (b[fs] === SPACE || b[fs] === QUOTE)) fs++;
      while (fe > fs && (b[fe - 1] === SPACE || b[fe - 1] === QUOTE)) fe--;
      fieldStart[n] = fs;
      fieldEnd[n] = fe;
      n++;
      if (q >= e) return n;
      p = q + 1;
    }
  };
  const text = (b: Uint8Array, s: number, e: number) => Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');

  const parseLine = (b: Uint8Array, s: number, e: number): void => {
    line++;
    if (e > s && b[e - 1] === CR) e--;
    if (e <= s) return; // blank line
    const nf = splitFields(b, s, e);
    if (line === 1 && !sawHeader && !(b[fieldStart[0]] >= 48 && b[fieldStart[0]] <= 57)) {
      sawHeader = true;
      const names = Array.from({ length: nf }, (_, i) => text(b, fieldStart[i], fieldEnd[i]).toLowerCase());
      emotionCol = names.indexOf('emotion');
      pixelsCol = names.indexOf('pixels');
      usageCol = names.indexOf('usage');
      if (emotionCol < 0 || pixelsCol < 0) {
        throw new FerkitError('BAD_DATA', `${name}: header "${names.join(',')}" has no "emotion" and "pixels" columns; expected a FER2013 CSV (emotion,pixels,Usage)`, { file: name, row: 1 });
      }
      return;
    }
    dataRow++;
    try {
      if (nf <= Math.max(emotionCol, pixelsCol)) throw new BadRow(`expected at least ${Math.max(emotionCol, pixelsCol) + 1} comma-separated fields, found ${nf}`);
      // rows without a Usage value have nothing to filter on: they are kept
      if (wanted && usageCol >= 0 && usageCol < nf && fieldEnd[usageCol] > fieldStart[usageCol]) {
        if (!wanted.includes(text(b, fieldStart[usageCol], fieldEnd[usageCol]).toLowerCase())) return;
      }
      // label
      let label = 0, digits = 0;
      for (let p = fieldStart[emotionCol]; p < fieldEnd[emotionCol]; p++) {
        const c = b[p] - 48;
        if (c < 0 || c > 9) throw new BadRow(`emotion "${text(b, fieldStart[emotionCol], fieldEnd[emotionCol])}" is not an integer 0..6`);
        label = label * 10 + c;
        digits++;
      }
      if (digits === 0) throw new BadRow('emotion is empty');
      if (label >= NUM_CLASSES) throw new BadRow(`emotion ${label} is out of range 0..6`);
      // pixels
      pixels.reserve(PIXELS_PER_IMAGE);
      const out = pixels.buf;
      let o = pixels.length, count = 0, v = -1;
      const ps = fieldStart[pixelsCol], pe = fieldEnd[pixelsCol];
      for (let p = ps; p <= pe; p++) {
        const c = p < pe ? b[p] : SPACE;
        if (c >= 48 && c <= 57) {
          v = v < 0 ? c - 48 : v * 10 + (c - 48);
          if (v > 255) throw new BadRow(`pixel ${count + 1} is above 255`);
        } else if (c === SPACE || c === TAB) {
          if (v >= 0) {
            if (count < PIXELS_PER_IMAGE) out[o + count] = v;
            count++;
            v = -1;
          }
        } else {
          throw new BadRow(`pixel ${count + 1} contains "${String.fromCharCode(c)}"; pixels must be integers 0..255 separated by spaces`);
        }
      }
      if (count !== PIXELS_PER_IMAGE) throw new BadRow(`expected ${PIXELS_PER_IMAGE} pixel values (48x48), found ${count}`);
      pixels.length += PIXELS_PER_IMAGE;
      labels.push(label);
      rows.push(dataRow);
      ids.push(`${name}:${line}`);
      report.read++;
      if (labels.length >= limit) done = true;
    } catch (err) {
      if (!(err instanceof BadRow)) throw err;
      if (options.skipBad) {
        noteSkipped(report, `${name}:${line}: ${err.message}`);
        return;
      }
      throw new FerkitError('BAD_DATA', `${name}, line ${line}: ${err.message}. Fix or remove the row, or set skipBad to skip bad rows.`, { file: name, row: line, options: ['skipBad'] });
    }
  };

  let rest: Uint8Array = new Uint8Array(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let b: Uint8Array = chunk;
      if (rest.length) {
        const joined = new Uint8Array(rest.length + chunk.length);
        joined.set(rest);
        joined.set(chunk, rest.length);
        b = joined;
      }
      let s = 0;
      for (;;) {
        const nl = b.indexOf(NL, s);
        if (nl < 0) break;
        parseLine(b, s, nl);
        s = nl + 1;
        if (done) break;
      }
      if (done) break;
      rest = b.slice(s);
    }
    if (!done && rest.length) parseLine(rest, 0, rest.length);
  } catch (err) {
    if (err instanceof FerkitError) throw err;
    throw new FerkitError('BAD_DATA', `${name}: could not read (${(err as Error).message}); is it a CSV or a gzipped CSV?`, { file: name, cause: err });
  } finally {
    stream.destroy();
  }
  const dataset = makeDataset({
    pixels: pixels.buf.slice(0, pixels.length),
    labels: Int32Array.from(labels),
    ids,
    rows: Int32Array.from(rows),
  });
  return { dataset, report };
}
