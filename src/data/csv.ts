import { createReadStream, existsSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { FerkitError } from '../core/errors.js';
import { NUM_CLASSES } from '../core/labels.js';
import { emptyReport, makeDataset, noteSkipped, type Dataset, type ReadReport } from './dataset.js';
import { PIXELS_PER_IMAGE } from '../core/image/preprocess.js';

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
  /**
   * Longest line read, in bytes; a longer one is a bad row (skipped with
   * skipBad, as the line ends), never held whole in memory. Default
   * DEFAULT_MAX_LINE_BYTES (1 MiB; a FER2013 row is about 8.5 KB).
   */
  maxLineBytes?: number;
  /**
   * Most bytes a gzipped CSV may expand to, as a multiple of its size on
   * disk (at least 64 MiB). Default DEFAULT_MAX_EXPANSION (100; FER2013's
   * CSV expands about 3.6 times).
   */
  maxExpansion?: number;
}

/** The default longest CSV line: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 2 ** 20;
/** The default bound on how far a gzipped CSV may expand: 100 times its size (and at least 64 MiB). */
export const DEFAULT_MAX_EXPANSION = 100;

const NL = 10,
  CR = 13,
  COMMA = 44,
  SPACE = 32,
  QUOTE = 34,
  TAB = 9;

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
    throw new FerkitError('DATA_NOT_FOUND', `no such CSV file: ${file}. Pass the path of a FER2013-style CSV (emotion,pixels,Usage), .csv or .csv.gz.`, {
      file,
    });
  }
  const gzipped = /\.gz$/i.test(file);
  const stream: Readable = gzipped ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  const maxBytes = gzipped ? Math.max(64 * 2 ** 20, statSync(file).size * (options.maxExpansion ?? DEFAULT_MAX_EXPANSION)) : Infinity;
  return parseFerCsvStream(stream, file, options, maxBytes);
}

/** Byte ranges of the comma-separated fields of a line, spaces and quotes trimmed (reused from line to line). */
class Fields {
  readonly start: number[] = [];
  readonly end: number[] = [];
  count = 0;

  split(b: Uint8Array, s: number, e: number): void {
    let n = 0,
      p = s;
    for (;;) {
      let q = b.indexOf(COMMA, p);
      if (q < 0 || q > e) q = e;
      let fs = p,
        fe = q;
      while (fs < fe && (b[fs] === SPACE || b[fs] === QUOTE)) fs++;
      while (fe > fs && (b[fe - 1] === SPACE || b[fe - 1] === QUOTE)) fe--;
      this.start[n] = fs;
      this.end[n] = fe;
      n++;
      if (q >= e) break;
      p = q + 1;
    }
    this.count = n;
  }

  text(b: Uint8Array, i: number): string {
    return latin1(b, this.start[i], this.end[i]);
  }
}

const latin1 = (b: Uint8Array, s: number, e: number) => Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');

/** The emotion field: an integer 0..6. */
function parseLabel(b: Uint8Array, s: number, e: number): number {
  let label = 0,
    digits = 0;
  for (let p = s; p < e; p++) {
    const c = b[p] - 48;
    if (c < 0 || c > 9)
      throw new BadRow(
        `emotion "${excerpt(latin1(b, s, e))}" is not an integer 0..6 (are the columns in another order? a header line emotion,pixels,Usage names them)`,
      );
    label = label * 10 + c;
    digits++;
  }
  if (digits === 0) throw new BadRow('emotion is empty');
  if (label >= NUM_CLASSES) throw new BadRow(`emotion ${label} is out of range 0..6`);
  return label;
}

/** The pixels field: 48x48 integers 0..255 separated by spaces, written to `out` at `o`. */
function parsePixels(b: Uint8Array, s: number, e: number, out: Uint8Array, o: number): void {
  let count = 0,
    v = -1;
  for (let p = s; p <= e; p++) {
    const c = p < e ? b[p] : SPACE;
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
}

/** Why the stream of lines stopped early: its own error, after `bytes` bytes. */
class StreamBroke extends Error {
  constructor(
    readonly bytes: number,
    readonly reason: unknown,
  ) {
    super((reason as Error)?.message ?? String(reason));
  }
}

/**
 * Calls `onLine` with the byte range of each line of a stream (without its
 * newline) until it returns true. A line longer than `maxLine` comes as
 * `onOverlong()` instead, without being held; the cost is linear in the
 * stream's length. Reading stops with an error past `maxBytes` bytes.
 */
async function forEachLine(
  stream: Readable,
  onLine: (b: Uint8Array, s: number, e: number) => boolean,
  onOverlong: () => boolean,
  maxLine: number,
  maxBytes: number,
): Promise<void> {
  // the start of the current line, in the chunks before this one
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  let overlong = false;
  let total = 0;
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await iterator.next();
    } catch (err) {
      throw new StreamBroke(total, err);
    }
    if (next.done) break;
    const chunk: Uint8Array = next.value;
    total += chunk.length;
    if (total > maxBytes) throw new StreamBroke(total, new Error(`it expands to more than ${Math.round(maxBytes / 2 ** 20)} MiB`));
    let s = 0;
    for (;;) {
      const nl = chunk.indexOf(NL, s);
      if (nl < 0) break;
      let stop: boolean;
      if (overlong || pendingLength + (nl - s) > maxLine) stop = onOverlong();
      else if (pendingLength === 0) stop = onLine(chunk, s, nl);
      else {
        const joined = new Uint8Array(pendingLength + nl - s);
        let o = 0;
        for (const p of pending) {
          joined.set(p, o);
          o += p.length;
        }
        joined.set(chunk.subarray(s, nl), o);
        stop = onLine(joined, 0, joined.length);
      }
      pending = [];
      pendingLength = 0;
      overlong = false;
      s = nl + 1;
      if (stop) return;
    }
    if (s < chunk.length && !overlong) {
      pendingLength += chunk.length - s;
      if (pendingLength > maxLine) {
        overlong = true;
        pending = [];
      } else pending.push(chunk.slice(s));
    }
  }
  if (overlong) onOverlong();
  else if (pendingLength) {
    const joined = new Uint8Array(pendingLength);
    let o = 0;
    for (const p of pending) {
      joined.set(p, o);
      o += p.length;
    }
    onLine(joined, 0, joined.length);
  }
}

/** At most 60 characters of a value, for messages. */
function excerpt(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}

/** The rows of one FER2013 CSV, parsed line by line into bytes, labels and ids. */
class FerCsvParser {
  readonly report = emptyReport();
  private readonly wanted: string[] | undefined;
  private readonly limit: number;
  private readonly pixels = new Bytes();
  private readonly labels: number[] = [];
  private readonly rows: number[] = [];
  private readonly ids: string[] = [];
  private readonly fields = new Fields();
  private columns = { emotion: 0, pixels: 1, usage: 2 };
  private line = 0; // 1-based line number of the line being parsed
  private dataRow = -1; // 0-based data row (header excluded)

  constructor(
    private readonly name: string,
    private readonly options: CsvReadOptions,
  ) {
    this.wanted = options.usage?.map((u) => u.toLowerCase());
    this.limit = options.limit ?? Infinity;
  }

  /** A line over the length limit: a bad row. */
  overlong(maxLine: number): boolean {
    this.line++;
    this.dataRow++;
    return this.bad(new BadRow(`the line is longer than ${maxLine} bytes (a FER2013 row is about 8.5 KB); set maxLineBytes to read longer lines`));
  }

  /** A bad row: skipped and counted with skipBad, else the error that stops the read. */
  private bad(err: BadRow): boolean {
    if (this.options.skipBad) {
      noteSkipped(this.report, `${this.name}:${this.line}: ${err.message}`);
      return false;
    }
    throw new FerkitError('BAD_DATA', `${this.name}, line ${this.line}: ${err.message}. Fix or remove the row, or set skipBad to skip bad rows.`, {
      file: this.name,
      row: this.line,
      options: ['skipBad'],
    });
  }

  /** The stream broke after the rows read so far: with skipBad, they are kept and the break reported. */
  broke(err: StreamBroke): void {
    const where = `after line ${this.line} (${err.bytes.toLocaleString('en-US')} bytes in)`;
    if (this.options.skipBad) {
      this.report.warnings.push(
        `${this.name}: reading stopped ${where}: ${excerpt(err.message)}; the ${this.report.read} rows read before the break are kept, the rest of the file is not read`,
      );
      return;
    }
    throw new FerkitError(
      'BAD_DATA',
      `${this.name}: reading stopped ${where} (${excerpt(err.message)}); is it a whole CSV or gzipped CSV? Set skipBad to keep the rows before the break.`,
      { file: this.name, row: this.line + 1, options: ['skipBad'], cause: err.reason },
    );
  }

  /** Parses one line; true once `limit` rows are kept. */
  parseLine(b: Uint8Array, s: number, e: number): boolean {
    this.line++;
    if (e > s && b[e - 1] === CR) e--;
    if (e <= s) return false; // blank line
    this.fields.split(b, s, e);
    if (this.line === 1 && !(b[this.fields.start[0]] >= 48 && b[this.fields.start[0]] <= 57)) {
      this.readHeader(b);
      return false;
    }
    this.dataRow++;
    try {
      this.readRow(b);
    } catch (err) {
      if (!(err instanceof BadRow)) throw err;
      return this.bad(err);
    }
    return this.labels.length >= this.limit;
  }

  private readHeader(b: Uint8Array): void {
    const names = Array.from({ length: this.fields.count }, (_, i) => this.fields.text(b, i).toLowerCase());
    this.columns = { emotion: names.indexOf('emotion'), pixels: names.indexOf('pixels'), usage: names.indexOf('usage') };
    if (this.columns.emotion < 0 || this.columns.pixels < 0) {
      throw new FerkitError(
        'BAD_DATA',
        `${this.name}: header "${excerpt(names.join(','))}" has no "emotion" and "pixels" columns; expected a FER2013 CSV (emotion,pixels,Usage)`,
        { file: this.name, row: 1 },
      );
    }
  }

  private readRow(b: Uint8Array): void {
    const { fields, columns } = this;
    const needed = Math.max(columns.emotion, columns.pixels) + 1;
    if (fields.count < needed) throw new BadRow(`expected at least ${needed} comma-separated fields, found ${fields.count}`);
    // rows without a Usage value have nothing to filter on: they are kept
    const u = columns.usage;
    if (this.wanted && u >= 0 && u < fields.count && fields.end[u] > fields.start[u] && !this.wanted.includes(fields.text(b, u).toLowerCase())) return;
    const label = parseLabel(b, fields.start[columns.emotion], fields.end[columns.emotion]);
    this.pixels.reserve(PIXELS_PER_IMAGE);
    parsePixels(b, fields.start[columns.pixels], fields.end[columns.pixels], this.pixels.buf, this.pixels.length);
    this.pixels.length += PIXELS_PER_IMAGE;
    this.labels.push(label);
    this.rows.push(this.dataRow);
    this.ids.push(`${this.name}:${this.line}`);
    this.report.read++;
  }

  dataset(): Dataset {
    return makeDataset({
      pixels: this.pixels.buf.slice(0, this.pixels.length),
      labels: Int32Array.from(this.labels),
      ids: this.ids,
      rows: Int32Array.from(this.rows),
    });
  }
}

/**
 * Same as readFerCsv, from any byte stream (`name` is used in messages and
 * ids), reading at most `maxBytes` bytes from it.
 */
export async function parseFerCsvStream(
  stream: Readable,
  name: string,
  options: CsvReadOptions = {},
  maxBytes = Infinity,
): Promise<{ dataset: Dataset; report: ReadReport }> {
  const parser = new FerCsvParser(name, options);
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  try {
    await forEachLine(
      stream,
      (b, s, e) => parser.parseLine(b, s, e),
      () => parser.overlong(maxLine),
      maxLine,
      maxBytes,
    );
  } catch (err) {
    if (err instanceof FerkitError) throw err;
    if (err instanceof StreamBroke) parser.broke(err);
    else
      throw new FerkitError('BAD_DATA', `${name}: could not read (${excerpt((err as Error).message)}); is it a CSV or a gzipped CSV?`, {
        file: name,
        cause: err,
      });
  } finally {
    stream.destroy();
  }
  return { dataset: parser.dataset(), report: parser.report };
}
