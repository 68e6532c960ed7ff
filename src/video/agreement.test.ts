import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS, type Emotion } from '../core/labels.js';
import { timelineAgreement, type AgreementEntry } from './agreement.js';

const probs = (top: Emotion): Record<Emotion, number> => Object.fromEntries(EMOTIONS.map((e) => [e, e === top ? 0.6 : 0.4 / 6])) as Record<Emotion, number>;
const entry = (frame: number, faceId: number, x: number, top: Emotion, fps = 2): AgreementEntry => ({
  frame,
  time: frame / fps,
  faceId,
  box: { x, y: 0, width: 10, height: 10 },
  emotions: probs(top),
});

test('agreement per face-second, worked by hand', () => {
  // reference: face 1 at x=0 for 3 s (2 frames a second), face 2 at x=100 for the first second
  const reference = [0, 1, 2, 3, 4, 5].map((f) => entry(f, 1, 0, 'happy')).concat([0, 1].map((f) => entry(f, 2, 100, 'sad')));
  // other: the same faces under other ids; face 1 reads angry in second 2, and is missing in second 1
  const other = [0, 1, 4, 5].map((f) => entry(f, 7, 1, f >= 4 ? 'angry' : 'happy')).concat([0, 1].map((f) => entry(f, 8, 101, 'sad')));
  const a = timelineAgreement(reference, other);
  assert.deepEqual(a, { faceSeconds: 4, agreeing: 2, share: 0.5, unmatched: 1, referenceFaces: 2, otherFaces: 2, sameFaces: 2 });
});

test('a face followed under two ids, or two faces merged into one, are not the same faces', () => {
  const reference = [0, 1, 2, 3].map((f) => entry(f, 1, 0, 'happy'));
  const split = [0, 1].map((f) => entry(f, 5, 0, 'happy')).concat([2, 3].map((f) => entry(f, 6, 0, 'happy')));
  assert.equal(timelineAgreement(reference, split).sameFaces, 0);
  assert.equal(timelineAgreement(reference, split).share, 1);
  const two = [0, 1].map((f) => entry(f, 1, 0, 'happy')).concat([2, 3].map((f) => entry(f, 2, 0, 'happy')));
  const merged = [0, 1, 2, 3].map((f) => entry(f, 9, 0, 'happy'));
  assert.equal(timelineAgreement(two, merged).sameFaces, 0);
  assert.deepEqual(timelineAgreement([], []), { faceSeconds: 0, agreeing: 0, share: 1, unmatched: 0, referenceFaces: 0, otherFaces: 0, sameFaces: 0 });
});

test('minFrames leaves out faces the reference saw in too few frames of a second', () => {
  // face 1 in every frame (2 a second) for 2 s; face 2 in one frame only (a flicker); the other run has face 1 only
  const reference = [0, 1, 2, 3].map((f) => entry(f, 1, 0, 'happy')).concat([entry(2, 2, 100, 'sad')]);
  const other = [0, 1, 2, 3].map((f) => entry(f, 5, 0, 'happy'));
  assert.deepEqual(timelineAgreement(reference, other), {
    faceSeconds: 3,
    agreeing: 2,
    share: 2 / 3,
    unmatched: 1,
    referenceFaces: 2,
    otherFaces: 1,
    sameFaces: 1,
  });
  assert.deepEqual(timelineAgreement(reference, other, { minFrames: 2 }), {
    faceSeconds: 2,
    agreeing: 2,
    share: 1,
    unmatched: 0,
    referenceFaces: 1,
    otherFaces: 1,
    sameFaces: 1,
  });
});
