/**
 * How the records of results.ts are printed: JSON Lines, CSV and an aligned
 * text table, a picture (or a video frame's face) at a time. Pure: printers
 * write through the function they are given.
 */
import { EMOTIONS } from './labels.js';
import { FACE_CSV_COLUMNS, faceCsvCells, type FaceRecord, type PictureRecord } from './results.js';

/** One CSV cell: strings with a comma, quote or line break are quoted. */
export const csvCell = (v: string | number | boolean) => (typeof v === 'string' && /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));

/** Pads cells into aligned columns (the first left-aligned; the others right-aligned unless `alignRight` is false). */
export function table(rows: string[][], alignRight = true): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 || !alignRight ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The CSV header of pictures' faces: the file, a face's columns, and the error of a picture that failed. */
export const PICTURE_CSV_HEADER = ['file', ...FACE_CSV_COLUMNS, 'error'].join(',');

/** A picture's CSV lines: a row per face, one row with empty cells for a picture without, one with its error for a picture that failed. */
export function pictureCsvLines(p: PictureRecord): string {
  const empty = FACE_CSV_COLUMNS.map(() => '');
  if (p.error) return [csvCell(p.file), ...empty, csvCell(`${p.error.code}: ${p.error.message}`)].join(',') + '\n';
  if (p.faces.length === 0) return [csvCell(p.file), ...empty, ''].join(',') + '\n';
  return p.faces.map((f) => [csvCell(p.file), ...faceCsvCells(f), ''].join(',') + '\n').join('');
}

/** The table's header: file, face, box, emotion (`?` before an uncertain one), its probability, and each emotion's. */
const TABLE_HEADER = ['file', 'face', 'box (x,y,w,h)', 'emotion', 'conf', ...EMOTIONS.map((e) => e.slice(0, 4))];

/** A picture's table rows: a row per face, or one that says it has none. */
export function pictureTableRows(p: PictureRecord): string[][] {
  if (p.faces.length === 0) return [[p.file, '-', 'no face', '', '', ...EMOTIONS.map(() => '')]];
  return p.faces.map((f) => {
    const b = f.box;
    return [
      p.file,
      String(f.faceId),
      `${Math.round(b.x)},${Math.round(b.y)},${Math.round(b.width)},${Math.round(b.height)}`,
      `${f.uncertain ? '?' : ''}${f.emotion}`,
      f.confidence.toFixed(2),
      ...EMOTIONS.map((e) => f.emotions[e].toFixed(2)),
    ];
  });
}

export type ResultFormat = 'table' | 'json' | 'csv';

/** Notes printed under the table when it shows an uncertain face, or a picture without a face. */
export interface TableNotes {
  uncertain?: string;
  noFace?: string;
}

/** Prints pictures' records as they come; `end()` prints what waits for the last one (the table). */
export interface PicturePrinter {
  picture(record: PictureRecord): void;
  end(): void;
}

/**
 * A printer of pictures in `format`: JSON Lines (a record per picture), CSV
 * (its header at once) or a table, printed whole at the end with its notes.
 * A picture that failed is printed in JSON and CSV, and left out of the table.
 */
export function picturePrinter(format: ResultFormat, write: (s: string) => void, notes: TableNotes = {}): PicturePrinter {
  if (format === 'json') return { picture: (p) => write(JSON.stringify(p) + '\n'), end: () => {} };
  if (format === 'csv') {
    write(PICTURE_CSV_HEADER + '\n');
    return { picture: (p) => write(pictureCsvLines(p)), end: () => {} };
  }
  const rows = [TABLE_HEADER];
  let uncertain = false,
    noFace = false;
  return {
    picture(p) {
      if (p.error) return;
      rows.push(...pictureTableRows(p));
      noFace ||= p.faces.length === 0;
      uncertain ||= p.faces.some((f) => f.uncertain);
    },
    end() {
      write(table(rows) + '\n' + (uncertain && notes.uncertain ? notes.uncertain + '\n' : '') + (noFace && notes.noFace ? notes.noFace + '\n' : ''));
    },
  };
}

/** A face in a video frame: its record, with the time (s) and number of its frame. */
export type FrameFace = FaceRecord & { time: number; frame: number };

/** The CSV header of a timeline: time, frame, a face's columns. */
export const TIMELINE_CSV_HEADER = ['time', 'frame', ...FACE_CSV_COLUMNS].join(',');

/** A face of a timeline as a CSV line. */
export function timelineCsvLine(r: FrameFace): string {
  return [r.time, r.frame, ...faceCsvCells(r)].join(',') + '\n';
}

/** A printer of a timeline, a face at a time: JSON Lines or CSV (with its header at once). */
export function timelinePrinter(format: 'json' | 'csv', write: (s: string) => void): (face: FrameFace) => void {
  if (format === 'json') return (r) => write(JSON.stringify(r) + '\n');
  write(TIMELINE_CSV_HEADER + '\n');
  return (r) => write(timelineCsvLine(r));
}
