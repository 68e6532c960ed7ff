import { EMOTIONS, type Emotion } from '../core/labels.js';
import { l1 } from './smooth.js';

/** A moment at which a face's top (smoothed) emotion changed from one emotion to another. */
export interface ChangeMoment {
  /** Seconds from the start: when the face's emotions moved fastest on the way to the switch. */
  time: number;
  faceId: number;
  /** The top emotion before the change; never the same as `to`. */
  from: Emotion;
  /** The top emotion after it. */
  to: Emotion;
  /**
   * How far the face's emotions moved: the largest L1 distance (0..2)
   * between its smoothed distributions in the window before the switch and
   * those in the window after it.
   */
  change: number;
}

export interface ChangeOptions {
  /** How many changes to keep, strongest first. Default 5. */
  changes?: number;
  /** Least change (0..2) worth reporting. Default 0.2. */
  minChange?: number;
  /**
   * Seconds (default 1): the span before and after a switch over which its
   * size is measured, and the distance under which a face's switches are
   * one change (the strongest of them is kept).
   */
  window?: number;
}

interface Observation {
  time: number;
  dist: readonly number[];
  /** L1 distance from the face's previous distribution. */
  step: number;
}

interface Candidate {
  faceId: number;
  from: number;
  to: number;
  /** When the top emotion switched. */
  switchedAt: number;
  /** When the emotions moved fastest on the way to the switch. */
  time: number;
  /** Distributions of the window before the switch. */
  before: readonly (readonly number[])[];
  change: number;
}

interface FaceChanges {
  top: number;
  /** The face's observations of the last `window` seconds (at least the last one). */
  recent: Observation[];
  lastSwitch: number;
  /** Switches whose window after has not ended: their size may still grow. */
  open: Candidate[];
  /** The strongest switch of the current group whose window has ended. */
  best?: Candidate;
  /** The face's last change of a finished group that was kept. */
  last?: ChangeMoment;
}

const argmax = (v: readonly number[]) => {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[k]) k = i;
  return k;
};
const stronger = (a: Candidate | undefined, b: Candidate) => (!a || b.change > a.change ? b : a);
const moment = (c: Candidate): ChangeMoment => ({ time: c.time, faceId: c.faceId, from: EMOTIONS[c.from], to: EMOTIONS[c.to], change: c.change });
const byStrength = (a: ChangeMoment, b: ChangeMoment) => b.change - a.change || a.time - b.time || a.faceId - b.faceId;

/**
 * Finds the moments at which faces' top emotions change, streaming and in
 * bounded memory: each face's smoothed distributions go in, in order of
 * time, and the strongest changes come out. A change is a switch of the top
 * emotion between two different emotions; a face's switches closer than
 * `window` seconds to each other (a transition that wavers, a near tie that
 * flickers) count as one, the strongest. Its size is measured across the
 * whole transition (the window before the switch against the window after
 * it), so a slow change counts as much as a sudden one.
 */
export class ChangeFinder {
  private readonly maxChanges: number;
  private readonly minChange: number;
  private readonly window: number;
  private readonly faces = new Map<number, FaceChanges>();
  /** Finished changes, strongest first, at most `maxChanges`. */
  private done: ChangeMoment[] = [];

  constructor(options: ChangeOptions = {}) {
    this.maxChanges = options.changes ?? 5;
    this.minChange = options.minChange ?? 0.2;
    this.window = options.window ?? 1;
    if (!(this.window >= 0)) throw new RangeError(`the change window must be 0 or more seconds, got ${options.window}`);
  }

  /** A face's smoothed probabilities (in the order of EMOTIONS) at `time`; a face's times come in increasing order. */
  add(faceId: number, time: number, dist: readonly number[]): void {
    const s = this.faces.get(faceId);
    const top = argmax(dist);
    if (!s) {
      this.faces.set(faceId, { top, recent: [{ time, dist, step: 0 }], lastSwitch: -Infinity, open: [] });
      return;
    }
    const w = this.window;
    const step = l1(s.recent[s.recent.length - 1].dist, dist);
    // switches still measuring their window after grow with this distribution; the others are final
    const open: Candidate[] = [];
    for (const c of s.open) {
      if (time <= c.switchedAt + w) {
        for (const b of c.before) c.change = Math.max(c.change, l1(b, dist));
        open.push(c);
      } else s.best = stronger(s.best, c);
    }
    s.open = open;
    // no switch left within the window: the group is over and its strongest switch is a change
    if (!open.length && s.best) {
      this.finish(s, s.best);
      s.best = undefined;
    }
    if (top !== s.top) {
      const inWindow = s.recent.filter((o) => o.time >= time - w);
      const before = (inWindow.length ? inWindow : [s.recent[s.recent.length - 1]]).map((o) => o.dist);
      // the moment of the fastest move since the face's previous switch, up to this one
      let fastest: Observation = { time, dist, step };
      for (const o of inWindow) if (o.time > s.lastSwitch && o.step > fastest.step) fastest = o;
      s.open.push({
        faceId,
        from: s.top,
        to: top,
        switchedAt: time,
        time: fastest.time,
        before,
        change: before.reduce((m, b) => Math.max(m, l1(b, dist)), 0),
      });
      s.lastSwitch = time;
      s.top = top;
    }
    s.recent.push({ time, dist, step });
    while (s.recent.length > 1 && s.recent[0].time < time - w) s.recent.shift();
  }

  /** The strongest changes so far, strongest first (the ones still being measured at their current size). */
  changes(): ChangeMoment[] {
    const pending: ChangeMoment[] = [];
    const replaced = new Set<ChangeMoment>();
    for (const s of this.faces.values()) {
      const c = s.open.reduce<Candidate | undefined>(stronger, s.best);
      if (!c || c.change < this.minChange) continue;
      const m = moment(c);
      if (s.last && m.time - s.last.time < this.window) {
        if (m.change <= s.last.change) continue;
        replaced.add(s.last);
      }
      pending.push(m);
    }
    return [...this.done.filter((m) => !replaced.has(m)), ...pending].sort(byStrength).slice(0, this.maxChanges);
  }

  /** Keeps a group's strongest switch; of two of a face's changes less than `window` apart (by their times), the stronger. */
  private finish(s: FaceChanges, c: Candidate): void {
    if (c.change < this.minChange) return;
    const m = moment(c);
    if (s.last && m.time - s.last.time < this.window) {
      if (m.change <= s.last.change) return;
      const last = s.last;
      this.done = this.done.filter((d) => d !== last);
    }
    s.last = m;
    this.done = [...this.done, m].sort(byStrength).slice(0, this.maxChanges);
  }
}

/**
 * The strongest changes of faces' top emotions in a timeline (entries in
 * order of time, each face's smoothed probabilities), strongest first: what
 * a video summary's `strongestChanges` holds. See `ChangeFinder`.
 */
export function findChanges(
  timeline: Iterable<{ time: number; faceId: number; emotions: Readonly<Record<Emotion, number>> }>,
  options: ChangeOptions = {},
): ChangeMoment[] {
  const finder = new ChangeFinder(options);
  for (const e of timeline)
    finder.add(
      e.faceId,
      e.time,
      EMOTIONS.map((k) => e.emotions[k]),
    );
  return finder.changes();
}
