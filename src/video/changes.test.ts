import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS, type Emotion } from '../core/labels.js';
import { ChangeFinder, findChanges, type ChangeMoment } from './changes.js';
import { smoothStep } from './smooth.js';

type Entry = { time: number; faceId: number; emotions: Record<Emotion, number> };

/** A distribution with `p` on `top` and the rest spread evenly, or a mix of several emotions. */
function dist(weights: Partial<Record<Emotion, number>>): number[] {
  const given = Object.values(weights).reduce((a, b) => a + b, 0);
  const rest = (1 - given) / (EMOTIONS.length - Object.keys(weights).length);
  return EMOTIONS.map((e) => weights[e] ?? rest);
}
const record = (v: readonly number[]) => Object.fromEntries(EMOTIONS.map((e, i) => [e, v[i]])) as Record<Emotion, number>;

/**
 * One face's timeline at `fps`: `raw(t)` gives what the model saw at time
 * t; the entries hold it smoothed as a video analysis smooths it (half-life
 * 0.5 s).
 */
function face(faceId: number, seconds: number, raw: (t: number) => number[], fps = 5, from = 0): Entry[] {
  const out: Entry[] = [];
  let smooth: number[] | undefined;
  for (let i = Math.round(from * fps); i < Math.round((from + seconds) * fps); i++) {
    const time = i / fps;
    smooth = smoothStep(smooth, raw(time), out.length ? 1 / fps : 0, 0.5);
    out.push({ time, faceId, emotions: record(smooth) });
  }
  return out;
}
/** Several faces' timelines as a video analysis gives them: frame by frame. */
const interleave = (...faces: Entry[][]) => faces.flat().sort((a, b) => a.time - b.time || a.faceId - b.faceId);

function assertWellFormed(changes: readonly ChangeMoment[], window = 1): void {
  for (const c of changes) {
    assert.notEqual(c.from, c.to, `a change from ${c.from} to itself at ${c.time}s`);
    assert.ok(EMOTIONS.includes(c.from) && EMOTIONS.includes(c.to));
    assert.ok(Number.isInteger(c.faceId), 'each change names its face');
    assert.ok(c.change > 0 && c.change <= 2);
  }
  for (const [i, a] of changes.entries())
    for (const b of changes.slice(i + 1))
      assert.ok(a.faceId !== b.faceId || Math.abs(a.time - b.time) >= window, `face ${a.faceId} listed at ${a.time}s and again at ${b.time}s`);
  for (let i = 1; i < changes.length; i++) assert.ok(changes[i - 1].change >= changes[i].change, 'strongest first');
}

test('changes: a large swing that keeps the same top emotion is no change', () => {
  // sad throughout; half-way its probability drops from 0.9 to 0.45 while angry rises to 0.4
  const timeline = face(1, 6, (t) => (t < 3 ? dist({ sad: 0.9 }) : dist({ sad: 0.45, angry: 0.4 })));
  assert.deepEqual(findChanges(timeline), []);
  // and back and forth: still none
  assert.deepEqual(findChanges(face(1, 6, (t) => (Math.floor(t) % 2 ? dist({ sad: 0.9 }) : dist({ sad: 0.4, fear: 0.35 })))), []);
});

test('changes: a transition is one change, from one emotion to another, at the moment it starts', () => {
  const timeline = face(3, 6, (t) => (t < 3 ? dist({ angry: 0.9 }) : dist({ surprise: 0.9 })));
  const changes = findChanges(timeline);
  assertWellFormed(changes);
  assert.equal(changes.length, 1, JSON.stringify(changes));
  const [c] = changes;
  assert.deepEqual([c.faceId, c.from, c.to, c.time], [3, 'angry', 'surprise', 3]);
  // measured across the whole transition, not one frame's step: nearly the full L1 distance of 1.76
  assert.ok(c.change > 1.4, `change ${c.change}`);
});

test('changes: a transition that wavers, and a near tie that flickers, are listed once', () => {
  // sad to angry through a stretch where the two alternate frame by frame
  const wavering = face(1, 8, (t) => {
    if (t < 3) return dist({ sad: 0.9 });
    if (t < 4) return Math.round(t * 5) % 2 ? dist({ angry: 0.8 }) : dist({ sad: 0.8 });
    return dist({ angry: 0.9 });
  });
  const changes = findChanges(wavering, { minChange: 0 });
  assertWellFormed(changes);
  assert.equal(changes.filter((c) => c.faceId === 1).length, 1, JSON.stringify(changes));
  // a near tie that flips the top emotion every frame for seconds: one (weak) change at most, and none worth reporting
  const tie = face(2, 6, (t) => (Math.round(t * 5) % 2 ? dist({ happy: 0.41, neutral: 0.39 }) : dist({ happy: 0.39, neutral: 0.41 })));
  assert.ok(findChanges(tie, { minChange: 0 }).length <= 1);
  assert.deepEqual(findChanges(tie), []);
});

test('changes: two faces changing at the same time are two changes, each naming its face', () => {
  const a = face(1, 6, (t) => (t < 2 ? dist({ happy: 0.9 }) : dist({ sad: 0.9 })));
  const b = face(2, 6, (t) => (t < 2 ? dist({ neutral: 0.8 }) : dist({ surprise: 0.6 })));
  const changes = findChanges(interleave(a, b));
  assertWellFormed(changes);
  assert.deepEqual(
    changes.map((c) => [c.faceId, c.from, c.to, c.time]),
    [
      [1, 'happy', 'sad', 2],
      [2, 'neutral', 'surprise', 2],
    ],
  );
});

test('changes: separate changes of one face each count; the strongest come first, as many as asked', () => {
  const timeline = face(1, 12, (t) => (t < 3 ? dist({ neutral: 0.6 }) : t < 6 ? dist({ happy: 0.95 }) : t < 9 ? dist({ fear: 0.5 }) : dist({ angry: 0.9 })));
  const all = findChanges(timeline, { changes: 10 });
  assertWellFormed(all);
  assert.deepEqual(all.map((c) => `${c.from}->${c.to}`).sort(), ['fear->angry', 'happy->fear', 'neutral->happy']);
  const two = findChanges(timeline, { changes: 2 });
  assert.deepEqual(two, all.slice(0, 2));
  // the least change reported
  assert.ok(findChanges(timeline, { minChange: 1.9 }).length === 0);
});

test('changes: a face lost and found again with another emotion changed while it was gone', () => {
  const timeline = [...face(4, 2, () => dist({ happy: 0.9 })), ...face(4, 2, () => dist({ angry: 0.9 }), 5, 10)];
  const changes = findChanges(timeline);
  assertWellFormed(changes);
  assert.deepEqual(
    changes.map((c) => [c.faceId, c.from, c.to, c.time]),
    [[4, 'happy', 'angry', 10]],
  );
});

test('changes: random timelines never list a face twice within the window nor a change to the same emotion; streaming answers as a whole', () => {
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let run = 0; run < 30; run++) {
    // three faces whose emotions jump at random moments, some near ties
    const faces = [1, 2, 3].map((id) => {
      let current = dist({ [EMOTIONS[Math.floor(rnd() * 7)]]: 0.3 + rnd() * 0.6 });
      return face(id, 20, () => {
        if (rnd() < 0.15) current = dist({ [EMOTIONS[Math.floor(rnd() * 7)]]: 0.3 + rnd() * 0.6 });
        return current;
      });
    });
    const timeline = interleave(...faces);
    const window = [0.5, 1, 2][run % 3];
    const changes = findChanges(timeline, { changes: 50, minChange: 0, window });
    assertWellFormed(changes, window);
    // asked for part way through, then to the end, the finder gives what a reading of the whole gives
    const finder = new ChangeFinder({ changes: 50, minChange: 0, window });
    timeline.forEach((e, i) => {
      finder.add(
        e.faceId,
        e.time,
        EMOTIONS.map((k) => e.emotions[k]),
      );
      if (i === 100) assertWellFormed(finder.changes(), window);
    });
    assert.deepEqual(finder.changes(), changes);
  }
});
