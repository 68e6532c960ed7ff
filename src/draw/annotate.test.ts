import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { annotate, overlay, overlaySvg } from './annotate.js';
import { layoutAnnotations, MIN_FONT, type AnnotationLayout, type FaceLayout, type LayoutFace } from './layout.js';
import { EMOTIONS, type Emotion } from '../core/labels.js';
import type { Box } from '../core/image/geometry.js';
import type { FaceEmotion } from '../core/recognizer.js';
import { createRecognizer } from '../node/index.js';
import { PROJECT_ROOT, SHARED_DATA, needs, tempDir } from '../../test/fixtures.js';

function face(x: number, y: number, size: number, emotion: Emotion, height = size): FaceEmotion {
  const emotions = Object.fromEntries(EMOTIONS.map((e) => [e, e === emotion ? 0.7 : 0.05])) as Record<Emotion, number>;
  return {
    box: { x, y, width: size, height },
    score: 1,
    emotions,
    emotion,
    confidence: 0.7,
    top: EMOTIONS.map((label) => ({ label, score: emotions[label] })).sort((a, b) => b.score - a.score),
    uncertain: false,
    roll: 0,
  };
}
const laid = (box: Box, label = '#1 happy 70%'): LayoutFace => ({ box, label });

const intersects = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (r: Box, w: number, h: number) => r.x >= 0 && r.y >= 0 && r.x + r.width <= w && r.y + r.height <= h;
const grow = (b: Box, by: number): Box => ({ x: b.x - by, y: b.y - by, width: b.width + 2 * by, height: b.height + 2 * by });
const where = (l: FaceLayout) => {
  const p = l.panel!;
  const b = grow(l.box, l.stroke);
  if (p.x >= b.x + b.width) return 'right';
  if (p.x + p.width <= b.x) return 'left';
  if (p.y >= b.y + b.height) return 'below';
  if (p.y + p.height <= b.y) return 'above';
  return 'over';
};

/** What every layout keeps to: in the picture; panels over no face (nor its outline), no label and no other panel; labels outside every face box unless there was no room. */
function assertLayout(layout: AnnotationLayout, what: string): void {
  const { width: W, height: H, faces } = layout;
  for (const [i, f] of faces.entries()) {
    assert.ok(inside(f.tag, W, H), `${what}: label ${i + 1} leaves the picture`);
    if (!f.tagInside) for (const o of faces) assert.ok(!intersects(f.tag, o.box), `${what}: label ${i + 1} over a face`);
    // the outline lies outside the box, but where the box meets the picture's edge
    const o = grow(f.outline, f.stroke / 2);
    if (f.box.x >= f.stroke) assert.equal(o.x + f.stroke, f.box.x);
    if (f.box.y + f.box.height <= H - f.stroke) assert.equal(o.y + o.height - f.stroke, f.box.y + f.box.height);
    if (!f.panel) continue;
    assert.ok(f.panelFont >= MIN_FONT);
    assert.ok(inside(f.panel, W, H), `${what}: panel ${i + 1} ${JSON.stringify(f.panel)} leaves the ${W}x${H} picture`);
    for (const [k, o] of faces.entries()) {
      assert.ok(!intersects(f.panel, grow(o.box, o.stroke)), `${what}: panel ${i + 1} over face ${k + 1}`);
      assert.ok(!intersects(f.panel, o.tag), `${what}: panel ${i + 1} over label ${k + 1}`);
      if (k !== i && o.panel) assert.ok(!intersects(f.panel, o.panel), `${what}: panels ${i + 1} and ${k + 1} overlap`);
    }
  }
}

test('layout: the panel goes right of the face, else left, below, above; never over it', () => {
  const W = 640,
    H = 480;
  const cases: [Box, string][] = [
    [{ x: 200, y: 150, width: 120, height: 140 }, 'right'],
    [{ x: 500, y: 150, width: 130, height: 140 }, 'left'], // at the right edge
    [{ x: 10, y: 20, width: 620, height: 200 }, 'below'], // as wide as the picture
    [{ x: 10, y: 260, width: 620, height: 210 }, 'above'], // and at the bottom
  ];
  for (const [box, side] of cases) {
    const layout = layoutAnnotations(W, H, [laid(box)]);
    assertLayout(layout, `${side} case`);
    const [f] = layout.faces;
    assert.ok(f.panel, `a panel for ${JSON.stringify(box)}`);
    assert.equal(where(f), side, JSON.stringify(f));
    assert.equal(f.tagInside, false);
  }
});

test('layout: sizes follow the picture; little room shrinks the panel, none leaves the label alone', () => {
  const box = { x: 200, y: 150, width: 120, height: 140 };
  const small = layoutAnnotations(640, 480, [laid(box)]).faces[0];
  const large = layoutAnnotations(1280, 960, [laid({ x: 400, y: 300, width: 240, height: 280 })]).faces[0];
  assert.ok(large.panelFont >= 1.8 * small.panelFont, `${large.panelFont} vs ${small.panelFont}`);
  assert.ok(large.tagFont >= 1.8 * small.tagFont);
  assert.ok(large.panel!.width >= 1.8 * small.panel!.width);
  // 60 pixels on either side and above, 20 below: a small panel fits beside the face, at a smaller font
  const tight = layoutAnnotations(300, 250, [laid({ x: 95, y: 60, width: 110, height: 170 })]).faces[0];
  assert.ok(!tight.panel || tight.panelFont < small.panelFont);
  // a face that fills the picture: no panel, and the label inside the box's top edge
  const full = layoutAnnotations(200, 200, [laid({ x: 0, y: 0, width: 200, height: 200 })]);
  assertLayout(full, 'full');
  assert.equal(full.faces[0].panel, null);
  assert.equal(full.faces[0].tagInside, true);
  // the labels style draws no panel, wherever there is room
  const labels = layoutAnnotations(640, 480, [laid(box)], { style: 'labels' });
  assert.equal(labels.faces[0].panel, null);
  assert.deepEqual(labels.faces[0].tag, small.tag);
});

test('layout: a row of faces side by side; random group photos keep every rule', () => {
  // five faces 20 pixels apart in a 900x500 picture: panels go below or above, none over a face, a label or another panel
  const row = layoutAnnotations(
    900,
    500,
    [0, 1, 2, 3, 4].map((k) => laid({ x: 40 + k * 170, y: 180, width: 150, height: 160 }, `#${k + 1} surprise 99%`)),
  );
  assertLayout(row, 'row');
  assert.ok(row.faces.filter((f) => f.panel).length >= 3, JSON.stringify(row.faces.map((f) => f.panel)));
  let seed = 11;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let run = 0; run < 100; run++) {
    const W = 200 + Math.floor(rnd() * 1800),
      H = 150 + Math.floor(rnd() * 1200);
    const boxes: Box[] = [];
    for (let tries = 0; tries < 40 && boxes.length < 1 + (run % 12); tries++) {
      const s = Math.max(12, rnd() * Math.min(W, H) * 0.5);
      const b = { x: rnd() * (W - s) - s * 0.1, y: rnd() * (H - s) - s * 0.1, width: s, height: s * (1 + rnd() * 0.4) };
      if (!boxes.some((o) => intersects(grow(o, 6), b))) boxes.push(b);
    }
    const layout = layoutAnnotations(
      W,
      H,
      boxes.map((b, i) => laid(b, `#${i + 1} ${run % 2 ? 'uncertain: ' : ''}surprise 100%`)),
    );
    assertLayout(layout, `run ${run} (${W}x${H}, ${boxes.length} faces)`);
  }
});

test('overlay: labelled bars for the seven emotions, the faces numbered as asked', () => {
  const { svg, layout } = overlay(640, 480, [face(100, 100, 60, 'happy'), face(300, 100, 60, 'sad')], { ids: [7, 9] });
  assertLayout(layout, 'two faces');
  assert.match(svg, /#7 happy 70%/);
  assert.match(svg, /#9 sad 70%/);
  assert.match(svg, />face #7</);
  for (const e of EMOTIONS) assert.equal(svg.match(new RegExp(`>${e}</text>`, 'g'))?.length, 2, `label of ${e}`);
  assert.match(svg, />70%<\/text>/);
  // uncertain answers say so; the labels style draws no bars
  assert.match(overlaySvg(320, 240, [{ ...face(100, 100, 40, 'fear'), uncertain: true }]), /#1 uncertain: fear/);
  const labels = overlaySvg(640, 480, [face(100, 100, 60, 'happy')], { style: 'labels' });
  assert.match(labels, /#1 happy 70%/);
  assert.doesNotMatch(labels, /neutral|face #1/);
});

const PHOTOS = join(SHARED_DATA, 'photos', 'faceapi-examples');
const MODEL = join(PROJECT_ROOT, 'models', 'paper');
const skipPhotos = needs(PHOTOS, 'the example photos in ../shared/data/photos') || needs(join(MODEL, 'model.json'), 'the bundled paper model');

test('annotated photos: no panel over a face, and every pixel inside a face box as it was', { skip: skipPhotos, timeout: 120_000 }, async () => {
  const tmp = tempDir();
  const r = await createRecognizer({ model: MODEL });
  try {
    // two small pictures (300x250, 276x183) and two group photos
    for (const [name, style] of [
      ['angry.jpg', 'full'],
      ['fearful.jpg', 'full'],
      ['bbt4.jpg', 'full'],
      ['bbt1.jpg', 'full'],
      ['bbt4.jpg', 'labels'],
    ] as const) {
      const file = join(PHOTOS, name);
      const faces = await r.recognize(file);
      assert.ok(faces.length >= 1, `${name}: faces found`);
      const out = join(tmp.dir, `${style}-${name.replace('.jpg', '.png')}`);
      const layout = await annotate(file, faces, out, { style });
      assert.equal(layout.faces.length, faces.length);
      assertLayout(layout, name);
      if (style === 'labels') assert.ok(layout.faces.every((f) => f.panel === null));
      else if (name === 'bbt4.jpg') assert.ok(layout.faces.filter((f) => f.panel).length >= 4, `${name}: most faces get a panel`);
      for (const f of layout.faces) assert.equal(f.tagInside, false, `${name}: labels outside the faces`);
      const before = await sharp(file).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const after = await sharp(out).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([after.info.width, after.info.height], [before.info.width, before.info.height]);
      const { width } = before.info;
      // a pixel under an outline's stroke (its centre within half the stroke of the outline's path)
      const stroked = (x: number, y: number) =>
        layout.faces.some((f) => {
          const o = f.outline,
            h = f.stroke / 2;
          const [cx, cy] = [x + 0.5, y + 0.5];
          const inOuter = cx > o.x - h && cx < o.x + o.width + h && cy > o.y - h && cy < o.y + o.height + h;
          const inInner = cx > o.x + h && cx < o.x + o.width - h && cy > o.y + h && cy < o.y + o.height - h;
          return inOuter && !inInner;
        });
      for (const [i, f] of layout.faces.entries()) {
        let changed = 0,
          checked = 0;
        for (let y = f.box.y; y < f.box.y + f.box.height; y++)
          for (let x = f.box.x; x < f.box.x + f.box.width; x++) {
            if (stroked(x, y)) continue;
            checked++;
            for (let c = 0; c < 3; c++) if (before.data[(y * width + x) * 3 + c] !== after.data[(y * width + x) * 3 + c]) changed++;
          }
        assert.ok(checked >= 0.8 * f.box.width * f.box.height, `${name}: face ${i + 1} mostly checked`);
        assert.equal(changed, 0, `${name} (${style}): ${changed} values changed inside face ${i + 1} ${JSON.stringify(f.box)}`);
      }
      // and something was drawn: the outlines at least
      let drawn = 0;
      for (let k = 0; k < before.data.length; k++) if (before.data[k] !== after.data[k]) drawn++;
      assert.ok(drawn > 500, `${name}: ${drawn} values drawn`);
    }
  } finally {
    r.dispose();
    tmp.cleanup();
  }
});
