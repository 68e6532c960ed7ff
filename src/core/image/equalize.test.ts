import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claheImage, equalized, equalizeHistogram } from './equalize.js';
import { FerkitError } from '../errors.js';
import { PIXELS_PER_IMAGE } from './preprocess.js';

/** A 48x48 face-sized picture from a function of (x, y). */
function picture(f: (x: number, y: number) => number): Uint8Array {
  const p = new Uint8Array(PIXELS_PER_IMAGE);
  for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) p[y * 48 + x] = Math.max(0, Math.min(255, Math.round(f(x, y))));
  return p;
}

const std = (p: Uint8Array, pick: (i: number) => boolean = () => true) => {
  const v = [...p].filter((_, i) => pick(i));
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};

test('histogram equalisation stretches a dull picture over the whole range and keeps the order of grey levels', () => {
  const dull = picture((x, y) => 100 + ((x * 7 + y * 13) % 40)); // levels 100..139
  const out = equalizeHistogram(dull);
  assert.equal(Math.min(...out), 0);
  assert.equal(Math.max(...out), 255);
  for (let i = 0; i < dull.length; i++)
    for (const j of [i + 1, i + 48]) if (j < dull.length && dull[i] < dull[j]) assert.ok(out[i] <= out[j], `order kept at ${i},${j}`);
  // equalising an equalised picture changes nothing
  assert.deepEqual(equalizeHistogram(out), out);
  // one grey level: nothing to stretch, left as it is
  assert.deepEqual(
    equalizeHistogram(picture(() => 77)),
    picture(() => 77),
  );
});

test('CLAHE raises the contrast of a dull dark region, less than a global equalisation does: its clip limit bounds it', () => {
  // a dark left half with faint detail, a bright, busy right half
  const p = picture((x, y) => (x < 24 ? 20 + ((x + y) % 4) : 120 + ((x * 5 + y * 11) % 120)));
  const left = (i: number) => i % 48 < 16; // away from the blend at the border
  const local = claheImage(p, 48);
  const global = equalizeHistogram(p);
  assert.ok(std(local, left) > std(p, left) * 3, `left half: ${std(p, left).toFixed(2)} -> ${std(local, left).toFixed(2)}`);
  assert.ok(std(local, left) < std(global, left), `limited: ${std(local, left).toFixed(2)} against ${std(global, left).toFixed(2)} for the global one`);
  // at each pixel the blended tables are monotone: a brighter input is never darker
  const brighter = claheImage(
    picture((x, y) => (x < 24 ? 21 + ((x + y) % 4) : 121 + ((x * 5 + y * 11) % 120))),
    48,
  );
  for (let i = 0; i < p.length; i++) assert.ok(brighter[i] >= local[i], `pixel ${i}`);
  assert.throws(() => claheImage(new Uint8Array(50 * 50), 50), FerkitError);
});

test('equalized: each face on its own, none without a method, a clear error for an unknown one', () => {
  const a = picture((x) => 60 + x);
  const b = picture((x, y) => 200 - y);
  const both = new Uint8Array(2 * PIXELS_PER_IMAGE);
  both.set(a);
  both.set(b, PIXELS_PER_IMAGE);
  for (const method of ['histogram', 'clahe'] as const) {
    const out = equalized(both, method);
    const one = (p: Uint8Array) => equalized(p, method);
    assert.deepEqual(out.subarray(0, PIXELS_PER_IMAGE), one(a));
    assert.deepEqual(out.subarray(PIXELS_PER_IMAGE), one(b));
    assert.notDeepEqual(one(a), a);
  }
  assert.equal(equalized(both, undefined), both);
  assert.throws(
    () => equalized(both, 'sharpen' as never),
    (e: unknown) => e instanceof FerkitError && /histogram or clahe/.test(e.message),
  );
  assert.throws(() => equalized(new Uint8Array(100), 'histogram'), FerkitError);
});
