import { test } from 'node:test';
import assert from 'node:assert/strict';
import { overlaySvg } from './annotate.js';
import { EMOTIONS, type Emotion } from '../labels.js';
import type { FaceEmotion } from '../recognizer.js';

function face(x: number, y: number, size: number, emotion: Emotion): FaceEmotion {
  const emotions = Object.fromEntries(EMOTIONS.map((e) => [e, e === emotion ? 0.7 : 0.05])) as Record<Emotion, number>;
  return {
    box: { x, y, width: size, height: size },
    score: 1,
    emotions,
    emotion,
    confidence: 0.7,
    top: EMOTIONS.map((label) => ({ label, score: emotions[label] })).sort((a, b) => b.score - a.score),
    uncertain: false,
    roll: 0,
  };
}

/** The filled rectangles (labels, panels, bars), not the face boxes (fill="none"). */
const rects = (svg: string) =>
  [...svg.matchAll(/<rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(?!none)[^"]*"( fill-opacity="([\d.]+)")?/g)].map((m) => ({
    r: m.slice(1, 5).map(Number),
    opacity: m[6],
  }));

test('annotation: labelled bars for the seven emotions, inside the picture wherever the face is', () => {
  const [W, H] = [320, 240];
  // faces at the bottom edge, the top edge, the right edge, and one filling the picture
  for (const f of [face(100, 200, 40, 'happy'), face(10, 0, 40, 'sad'), face(290, 100, 30, 'fear'), face(0, 0, 320, 'angry')]) {
    const svg = overlaySvg(W, H, [f]);
    for (const {
      r: [x, y, w, h],
    } of rects(svg)) {
      assert.ok(
        x >= 0 && y >= 0 && x + w <= W + 1e-9 && y + h <= H + 1e-9,
        `rect ${x},${y} ${w}x${h} leaves the ${W}x${H} picture for a face at ${f.box.x},${f.box.y}`,
      );
    }
    for (const e of EMOTIONS) assert.match(svg, new RegExp(`>${e}</text>`), `label of ${e}`);
    assert.match(svg, />70%<\/text>/);
    assert.match(svg, new RegExp(`#1 ${f.emotion} 70%`));
  }
  // two faces side by side get panels that do not overlap, and their own numbers
  const svg = overlaySvg(640, 480, [face(100, 100, 60, 'happy'), face(200, 100, 60, 'sad')], [7, 9]);
  assert.match(svg, /#7 happy/);
  assert.match(svg, /#9 sad/);
  const panels = rects(svg)
    .filter((x) => x.opacity === '0.6')
    .map((x) => x.r);
  assert.equal(panels.length, 2);
  const [a, b] = panels;
  assert.ok(a[0] + a[2] <= b[0] || b[0] + b[2] <= a[0] || a[1] + a[3] <= b[1] || b[1] + b[3] <= a[1], 'panels overlap');
  // uncertain answers say so
  assert.match(overlaySvg(W, H, [{ ...face(100, 100, 40, 'fear'), uncertain: true }]), /#1 uncertain: fear/);
});
