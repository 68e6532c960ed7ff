/**
 * The timeline: each tracked person's share of each emotion over the last
 * minute, as stacked columns of one second each, drawn on a canvas, with a
 * summary in words for screen readers.
 */
import { type Emotion, EMOTION_COLOURS, EMOTIONS } from '../../src/browser/index.js';
import type { SessionEntry } from './session.js';

export const WINDOW_SECONDS = 60;
/** People shown at most (those seen most recently). */
const MAX_PEOPLE = 3;

export interface PersonTimeline {
  id: number;
  /** Per one-second bin (oldest first): the mean probability of each emotion, or undefined when unseen. */
  bins: (Record<Emotion, number> | undefined)[];
  /** Mean over the window. */
  share: Record<Emotion, number>;
  frames: number;
  lastSeen: number;
}

const zeros = () => Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;

/** Bins the webcam's entries of the last minute before `now` (seconds into the session) by person. Pure. */
export function personTimelines(entries: readonly SessionEntry[], now: number): PersonTimeline[] {
  const from = now - WINDOW_SECONDS;
  const people = new Map<number, { sums: Record<Emotion, number>[]; counts: number[]; total: Record<Emotion, number>; frames: number; lastSeen: number }>();
  for (let i = entries.length - 1; i >= 0 && entries[i].t >= from; i--) {
    const e = entries[i];
    if (e.source !== 'webcam') continue;
    const bin = Math.min(WINDOW_SECONDS - 1, Math.floor(e.t - from));
    for (const f of e.faces) {
      let p = people.get(f.faceId);
      if (!p) {
        p = {
          sums: Array.from({ length: WINDOW_SECONDS }, zeros),
          counts: new Array<number>(WINDOW_SECONDS).fill(0),
          total: zeros(),
          frames: 0,
          lastSeen: e.t,
        };
        people.set(f.faceId, p);
      }
      p.counts[bin]++;
      p.frames++;
      for (const k of EMOTIONS) {
        p.sums[bin][k] += f.emotions[k];
        p.total[k] += f.emotions[k];
      }
    }
  }
  return [...people.entries()]
    .map(([id, p]) => ({
      id,
      bins: p.sums.map((s, b) => (p.counts[b] ? (Object.fromEntries(EMOTIONS.map((k) => [k, s[k] / p.counts[b]])) as Record<Emotion, number>) : undefined)),
      share: Object.fromEntries(EMOTIONS.map((k) => [k, p.total[k] / p.frames])) as Record<Emotion, number>,
      frames: p.frames,
      lastSeen: p.lastSeen,
    }))
    .sort((a, b) => b.lastSeen - a.lastSeen || a.id - b.id)
    .slice(0, MAX_PEOPLE)
    .sort((a, b) => a.id - b.id);
}

/** "Person 1: happy 80%, neutral 15%" for each person. */
export function describe(people: readonly PersonTimeline[]): string {
  if (people.length === 0) return 'No face in the last minute.';
  return people
    .map((p) => {
      const ranked = EMOTIONS.map((e) => [e, p.share[e]] as const)
        .sort((a, b) => b[1] - a[1])
        .filter(([, s], i) => i === 0 || s >= 0.05)
        .slice(0, 3);
      return `Person ${p.id}: ${ranked.map(([e, s]) => `${e} ${Math.round(s * 100)}%`).join(', ')} (${p.frames} frames)`;
    })
    .join('. ');
}

/** Draws the people's rows of stacked columns. */
export function drawTimeline(canvas: HTMLCanvasElement, people: readonly PersonTimeline[]): void {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.round(canvas.clientWidth * dpr);
  const height = Math.round(canvas.clientHeight * dpr);
  if (!width || !height) return;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const style = getComputedStyle(canvas);
  ctx.clearRect(0, 0, width, height);
  ctx.font = `${Math.round(12 * dpr)}px system-ui, sans-serif`;
  ctx.fillStyle = style.color;
  ctx.textBaseline = 'middle';
  const left = Math.round(70 * dpr);
  const bottom = Math.round(18 * dpr);
  const pad = Math.round(6 * dpr);
  const plotW = width - left - pad;
  for (const s of [60, 45, 30, 15, 0]) {
    ctx.textAlign = s === 60 ? 'left' : s === 0 ? 'right' : 'center';
    ctx.fillText(s ? `−${s} s` : 'now', left + plotW * (1 - s / WINDOW_SECONDS), height - bottom / 2);
  }
  ctx.textAlign = 'left';
  if (people.length === 0) {
    ctx.fillText('No face in the last minute', left, (height - bottom) / 2);
    return;
  }
  const rowH = (height - bottom - pad) / people.length;
  const colW = plotW / WINDOW_SECONDS;
  people.forEach((p, r) => {
    const top = pad + r * rowH;
    const h = rowH - pad;
    ctx.fillStyle = style.color;
    ctx.fillText(`Person ${p.id}`, pad, top + h / 2);
    p.bins.forEach((bin, b) => {
      if (!bin) return;
      let y = top + h;
      for (const e of EMOTIONS) {
        const eh = bin[e] * h;
        ctx.fillStyle = EMOTION_COLOURS[e];
        ctx.fillRect(left + b * colW, y - eh, Math.max(1, colW - dpr), eh);
        y -= eh;
      }
    });
  });
}
