/**
 * The session: every recognised frame and photo, with tracked ids for the
 * webcam's faces, exported as CSV or JSON. Pure apart from the clock the
 * caller passes in.
 */
import { csvCell, FACE_CSV_COLUMNS, faceCsvCells, type FaceEmotion, faceRecord, type FaceRecord, FaceTracker } from '../../src/browser/index.js';

export interface SessionEntry {
  /** Seconds since the session began. */
  t: number;
  source: 'webcam' | 'photo';
  /** The webcam frame's number, or the photo's file name. */
  frame: number | string;
  faces: FaceRecord[];
}

/** Entries kept at most (a long session drops its oldest). */
const MAX_ENTRIES = 100_000;

export class Session {
  readonly entries: SessionEntry[] = [];
  private tracker = new FaceTracker({ maxMissed: 15 });
  private frame = 0;
  private started: number;
  private startedAt: Date;

  constructor(now: number, date = new Date()) {
    this.started = now;
    this.startedAt = date;
  }

  /** A webcam frame's faces, with the ids of their tracks. */
  addFrame(now: number, faces: readonly FaceEmotion[]): FaceRecord[] {
    const frame = this.frame++;
    const ids = this.tracker.update(
      faces.map((f) => f.box),
      frame,
    );
    const records = faces.map((f, i) => faceRecord(f, ids[i]));
    this.push({ t: (now - this.started) / 1000, source: 'webcam', frame, faces: records });
    return records;
  }

  /** A photo's faces (numbered 1, 2, ... in the photo). */
  addPhoto(now: number, name: string, faces: FaceRecord[]): void {
    this.push({ t: (now - this.started) / 1000, source: 'photo', frame: name, faces });
  }

  /** Seconds since the session began, at `now`. */
  elapsed(now: number): number {
    return (now - this.started) / 1000;
  }

  private push(entry: SessionEntry): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  toJson(about: Record<string, unknown>): string {
    return JSON.stringify({ ...about, started: this.startedAt.toISOString(), entries: this.entries }, null, 2);
  }

  toCsv(): string {
    const rows = [['t', 'source', 'frame', ...FACE_CSV_COLUMNS].join(',')];
    for (const e of this.entries) for (const f of e.faces) rows.push([e.t.toFixed(3), e.source, e.frame, ...faceCsvCells(f)].map(csvCell).join(','));
    return rows.join('\n') + '\n';
  }
}

/** Offers `text` as a download. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
