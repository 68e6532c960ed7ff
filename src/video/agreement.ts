/**
 * How far two analyses of the same video agree (the detector on every
 * frame against detect-then-track, say): per face and second, whether the
 * top smoothed emotion is the same, and whether the same faces were
 * followed. Faces of the two runs are paired frame by frame by overlap.
 * Pure.
 */
import { EMOTIONS, type Emotion } from '../core/labels.js';
import type { Box } from '../core/image/geometry.js';
import { iou } from '../core/face/tracker.js';

/** What agreement needs of a timeline entry (`TimelineEntry` has it). */
export interface AgreementEntry {
  time: number;
  frame: number;
  faceId: number;
  box: Box;
  /** Smoothed probabilities. */
  emotions: Record<Emotion, number>;
}

export interface AgreementOptions {
  /** Least overlap (IoU) of two faces in a frame for them to be the same face. Default 0.3. */
  minIou?: number;
  /**
   * Frames of a second in which the reference must see a face for that
   * face-second to count. Default 1. Half the frame rate leaves out faces
   * the reference found in a frame or two only (a detector's flicker near
   * its threshold, or a false face), which a run that searches less often
   * is not expected to have found.
   */
  minFrames?: number;
}

export interface TimelineAgreement {
  /** Seconds (whole seconds from the start) in which the reference saw a face (in `minFrames` frames at least), summed over its faces. */
  faceSeconds: number;
  /** Of those, the ones in which the other run's face at the same place has the same top emotion (mean of its smoothed probabilities over the second). */
  agreeing: number;
  /** agreeing / faceSeconds (1 when there is no face). */
  share: number;
  /** Face-seconds in which the other run had no face at the reference's place. */
  unmatched: number;
  /** Faces (ids) in each run; the reference's counts only those with a face-second. */
  referenceFaces: number;
  otherFaces: number;
  /** Reference faces paired with exactly one face of the other run, which is paired with no other reference face. */
  sameFaces: number;
}

/** Compares `other` with `reference`, entries paired per frame by overlap (IoU at least `minIou`, best first). Pure. */
export function timelineAgreement(reference: readonly AgreementEntry[], other: readonly AgreementEntry[], options: AgreementOptions = {}): TimelineAgreement {
  const minIou = options.minIou ?? 0.3;
  const minFrames = options.minFrames ?? 1;
  const byFrame = new Map<number, AgreementEntry[]>();
  for (const e of other) byFrame.set(e.frame, [...(byFrame.get(e.frame) ?? []), e]);
  const refFrames = new Map<number, AgreementEntry[]>();
  for (const e of reference) refFrames.set(e.frame, [...(refFrames.get(e.frame) ?? []), e]);
  const seconds = new Map<string, { id: number; frames: number; ref: number[]; other: number[]; matched: number }>();
  const pairs = new Map<number, Map<number, number>>(); // reference id -> other id -> frames
  const owners = new Map<number, Set<number>>(); // other id -> reference ids
  for (const [frame, refs] of refFrames) {
    const cands = byFrame.get(frame) ?? [];
    const scored = refs.flatMap((r, i) => cands.map((o, j) => ({ i, j, o: iou(r.box, o.box) }))).filter((p) => p.o >= minIou);
    scored.sort((a, b) => b.o - a.o);
    const match = new Map<number, AgreementEntry>();
    const used = new Set<number>();
    for (const p of scored) {
      if (match.has(p.i) || used.has(p.j)) continue;
      match.set(p.i, cands[p.j]);
      used.add(p.j);
    }
    refs.forEach((r, i) => {
      const key = `${r.faceId}:${Math.floor(r.time)}`;
      const s = seconds.get(key) ?? {
        id: r.faceId,
        frames: 0,
        ref: new Array<number>(EMOTIONS.length).fill(0),
        other: new Array<number>(EMOTIONS.length).fill(0),
        matched: 0,
      };
      seconds.set(key, s);
      s.frames++;
      EMOTIONS.forEach((e, k) => (s.ref[k] += r.emotions[e]));
      const o = match.get(i);
      if (!o) return;
      s.matched++;
      EMOTIONS.forEach((e, k) => (s.other[k] += o.emotions[e]));
      const m = pairs.get(r.faceId) ?? new Map<number, number>();
      pairs.set(r.faceId, m);
      m.set(o.faceId, (m.get(o.faceId) ?? 0) + 1);
      owners.set(o.faceId, (owners.get(o.faceId) ?? new Set()).add(r.faceId));
    });
  }
  const top = (v: number[]) => v.indexOf(Math.max(...v));
  let agreeing = 0,
    unmatched = 0;
  const counted = [...seconds.values()].filter((s) => s.frames >= minFrames);
  for (const s of counted) {
    if (!s.matched) unmatched++;
    else if (top(s.ref) === top(s.other)) agreeing++;
  }
  const referenceIds = new Set(counted.map((s) => s.id));
  let sameFaces = 0;
  for (const id of referenceIds) {
    const m = pairs.get(id);
    if (m?.size === 1 && owners.get([...m.keys()][0])!.size === 1) sameFaces++;
  }
  return {
    faceSeconds: counted.length,
    agreeing,
    share: counted.length ? agreeing / counted.length : 1,
    unmatched,
    referenceFaces: referenceIds.size,
    otherFaces: new Set(other.map((e) => e.faceId)).size,
    sameFaces,
  };
}
