import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS, rankEmotions, type Emotion } from '../labels.js';
import type { RgbImage } from '../image/pixels.js';
import type { Box } from '../image/geometry.js';
import type { DetectedFace } from '../face/detector.js';
import type { FaceEmotion } from '../recognizer.js';
import { iou } from '../face/tracker.js';
import { FerkitError } from '../errors.js';
import { cropRgb, FaceFollower, moveFace, type FaceReader, type FollowedFrame, type FollowOptions } from './follow.js';

/**
 * Synthetic frames: a grey background (its level sets the scene) with
 * square "faces" of a fixed random texture; red 255 marks face pixels and
 * blue carries the face's number, which the fake detector reads, so it
 * finds faces in crops as in whole frames.
 */
interface Drawn {
  face: number;
  box: Box;
}
const W = 320,
  H = 240;
function texture(face: number, u: number, v: number): number {
  let s = (face * 7919 + Math.floor(u * 12) * 131 + Math.floor(v * 12) * 17) >>> 0;
  s = Math.imul(s ^ (s >>> 13), 0x5bd1e995) >>> 0;
  return 40 + ((s ^ (s >>> 15)) % 180);
}
function frame(faces: readonly Drawn[], background = 90): RgbImage {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) data.fill(background, i * 3, i * 3 + 3);
  for (const { face, box } of faces) {
    for (let y = Math.max(0, Math.round(box.y)); y < Math.min(H, Math.round(box.y + box.height)); y++) {
      for (let x = Math.max(0, Math.round(box.x)); x < Math.min(W, Math.round(box.x + box.width)); x++) {
        const p = (y * W + x) * 3;
        data[p] = 255;
        data[p + 1] = texture(face, (x - box.x) / box.width, (y - box.y) / box.height);
        data[p + 2] = face * 10;
      }
    }
  }
  return { data, width: W, height: H };
}

/** Finds the marked faces of a picture (whole or cropped); counts its calls and the sizes it was given. */
class FakeReader implements FaceReader {
  detections: { width: number; height: number }[] = [];
  readings = 0;
  /** Calls (0, 1, ...) that find nothing, as a detector misses a face near its threshold. */
  blind = new Set<number>();
  async detect(img: RgbImage): Promise<DetectedFace[]> {
    this.detections.push({ width: img.width, height: img.height });
    if (this.blind.has(this.detections.length - 1)) return [];
    const boxes = new Map<number, { x0: number; y0: number; x1: number; y1: number }>();
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const p = (y * img.width + x) * 3;
        if (img.data[p] !== 255) continue;
        const id = img.data[p + 2] / 10;
        const b = boxes.get(id) ?? { x0: x, y0: y, x1: x + 1, y1: y + 1 };
        boxes.set(id, { x0: Math.min(b.x0, x), y0: Math.min(b.y0, y), x1: Math.max(b.x1, x + 1), y1: Math.max(b.y1, y + 1) });
      }
    }
    // a face cut by the picture's edge is not found (as with a real detector, mostly)
    return [...boxes.values()]
      .filter((b) => b.x1 - b.x0 >= 10 && b.y1 - b.y0 >= 10)
      .map((b) => ({
        box: { x: b.x0, y: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0 },
        score: 0.9,
        eyes: {
          left: { x: b.x0 + 0.3 * (b.x1 - b.x0), y: b.y0 + 0.4 * (b.y1 - b.y0) },
          right: { x: b.x0 + 0.7 * (b.x1 - b.x0), y: b.y0 + 0.4 * (b.y1 - b.y0) },
        },
      }));
  }
  /** Face k looks like EMOTIONS[k], read from the blue channel at the box's centre. */
  async recognizeFaces(img: RgbImage, faces: readonly DetectedFace[]): Promise<FaceEmotion[]> {
    this.readings += faces.length;
    return faces.map((f) => {
      const x = Math.min(img.width - 1, Math.round(f.box.x + f.box.width / 2)),
        y = Math.min(img.height - 1, Math.round(f.box.y + f.box.height / 2));
      const p = (y * img.width + x) * 3;
      const k = img.data[p] === 255 ? img.data[p + 2] / 10 : 6;
      const emotions = Object.fromEntries(EMOTIONS.map((e, i) => [e, i === k % 7 ? 0.7 : 0.05])) as Record<Emotion, number>;
      const top = rankEmotions(emotions);
      return { box: f.box, score: f.score, emotions, emotion: top[0].label, confidence: 0.7, top, uncertain: false, roll: 0 };
    });
  }
}

async function run(
  frames: readonly RgbImage[],
  options: FollowOptions = {},
  reader = new FakeReader(),
  fps = 30,
): Promise<{ out: FollowedFrame[]; reader: FakeReader; follower: FaceFollower }> {
  const follower = new FaceFollower(reader, options);
  const out: FollowedFrame[] = [];
  for (const [i, f] of frames.entries()) out.push(await follower.next(f, i / fps));
  return { out, reader, follower };
}

const still = (n: number, faces: readonly Drawn[], background = 90) => Array.from({ length: n }, () => frame(faces, background));

test('the detector runs on the first frame, then every detectEvery seconds; faces are followed in between', async () => {
  const { out, reader, follower } = await run(still(46, [{ face: 1, box: { x: 100, y: 60, width: 60, height: 70 } }]));
  assert.deepEqual(
    out.flatMap((f) => (f.search ? [`${f.index}:${f.search}`] : [])),
    ['0:first', '15:schedule', '30:schedule', '45:schedule'],
  );
  assert.equal(reader.detections.length, 4, 'the detector runs only on those frames');
  assert.equal(follower.counts.searches, 4);
  for (const f of out) {
    assert.equal(f.faces.length, 1);
    assert.equal(f.faces[0].id, 1);
    assert.equal(f.faces[0].origin, f.search ? 'detected' : 'tracked');
    assert.equal(f.faces[0].emotion, 'disgust', 'face 1 reads as EMOTIONS[1]');
  }
  // the emotion model reads the face every 0.1 s: frames 0, 3, 6, ... (16 of 46)
  assert.equal(reader.readings, 16);
  assert.deepEqual(
    out.slice(0, 7).map((f) => f.faces[0].classified),
    [true, false, false, true, false, false, true],
  );
});

test('detectEvery 0 runs the detector on every frame; classifyEvery 0 reads every face on every frame', async () => {
  const { out, reader } = await run(still(10, [{ face: 2, box: { x: 100, y: 60, width: 60, height: 70 } }]), { detectEvery: 0, classifyEvery: 0 });
  assert.equal(reader.detections.length, 10);
  assert.equal(reader.readings, 10);
  assert.ok(out.every((f) => f.faces[0].origin === 'detected' && f.faces[0].classified));
});

test('a scene cut makes the detector run at once, and the schedule starts again from there', async () => {
  const a = still(20, [{ face: 1, box: { x: 40, y: 40, width: 60, height: 60 } }], 60);
  const b = still(30, [{ face: 3, box: { x: 200, y: 100, width: 70, height: 80 } }], 200);
  const { out, reader } = await run([...a, ...b]);
  assert.deepEqual(
    out.flatMap((f) => (f.search ? [`${f.index}:${f.search}`] : [])),
    ['0:first', '15:schedule', '20:scene', '35:schedule'],
  );
  assert.equal(reader.detections.length, 4);
  assert.ok(out[20].change > 20, `a cut measures ${out[20].change}`);
  assert.ok(
    out.slice(1, 20).every((f) => f.change < 1),
    'a still scene measures about 0',
  );
  // the face of the new scene is a new face, found at once
  assert.deepEqual(
    out[20].faces.map((f) => [f.id, f.origin, f.emotion]),
    [[2, 'detected', 'happy']],
  );
});

test('a moving face keeps its id, and is followed where it goes between detections', async () => {
  // 60 frames (2 s): the face moves right 3 px a frame and grows 0.4 px a frame
  const truth = (i: number): Box => ({ x: 20 + 3 * i, y: 50 + i * 0.5, width: 60 + 0.4 * i, height: 70 + 0.4 * i });
  const frames = Array.from({ length: 60 }, (_, i) => frame([{ face: 4, box: truth(i) }]));
  const { out, reader } = await run(frames);
  assert.equal(reader.detections.length, 4, 'frames 0, 15, 30, 45');
  for (const f of out) {
    assert.equal(f.faces.length, 1, `frame ${f.index}`);
    assert.equal(f.faces[0].id, 1, `frame ${f.index}`);
    const o = iou(f.faces[0].box, truth(f.index));
    assert.ok(o >= 0.8, `frame ${f.index} (${f.faces[0].origin}): IoU ${o.toFixed(2)} with where the face is`);
    // the eyes move with the box
    const e = f.faces[0].eyes!;
    assert.ok(Math.abs(e.left.x - (truth(f.index).x + 0.3 * truth(f.index).width)) < 6, `frame ${f.index}: left eye at ${e.left.x.toFixed(1)}`);
  }
});

test('two faces keep their own ids while they move apart', async () => {
  const frames = Array.from({ length: 40 }, (_, i) =>
    frame([
      { face: 1, box: { x: 90 - 2 * i, y: 60, width: 50, height: 60 } },
      { face: 5, box: { x: 170 + 2 * i, y: 80, width: 50, height: 60 } },
    ]),
  );
  const { out } = await run(frames);
  for (const f of out) {
    const byId = new Map(f.faces.map((x) => [x.id, x.emotion]));
    assert.deepEqual(
      byId,
      new Map<number, Emotion>([
        [1, 'disgust'],
        [2, 'surprise'],
      ]),
      `frame ${f.index}`,
    );
  }
});

test('a face that leaves is carried for a frame, and the next frame is searched: it is gone', async () => {
  const face = { face: 1, box: { x: 100, y: 60, width: 60, height: 70 } };
  const frames = [...still(5, [face]), ...still(25, [])];
  const { out } = await run(frames);
  assert.deepEqual(
    out.slice(3, 8).map((f) => f.faces.map((x) => `${x.id}:${x.origin}`).join()),
    ['1:tracked', '1:tracked', '1:carried', '', ''],
  );
  assert.deepEqual(
    out.slice(4, 8).map((f) => f.search),
    [null, null, 'lost', null],
  );
  assert.ok(out.slice(6).every((f) => f.faces.length === 0));
  // a carried face is not read again: its box no longer shows it
  assert.equal(out[5].faces[0].classified, false);
  // keepLost 2: carried for two frames, then searched
  const longer = await run(frames, { keepLost: 2 });
  assert.deepEqual(
    longer.out.slice(4, 9).map((f) => `${f.search}:${f.faces.map((x) => x.origin).join()}`),
    ['null:tracked', 'null:carried', 'null:carried', 'lost:', 'null:'],
  );
});

test('follow: detect searches the neighbourhood of each face (a crop twice its size) instead of the whole frame', async () => {
  const truth = (i: number): Box => ({ x: 40 + 4 * i, y: 60, width: 50, height: 60 });
  const frames = Array.from({ length: 20 }, (_, i) => frame([{ face: 3, box: truth(i) }]));
  const { out, reader, follower } = await run(frames, { follow: 'detect' });
  assert.deepEqual(follower.counts, { frames: 20, searches: 2, localSearches: 18, readings: 7 });
  const local = reader.detections.filter((d) => d.width < W);
  assert.equal(local.length, 18);
  assert.ok(
    local.every((d) => d.width <= 121 && d.height <= 121),
    'crops of about 2 x 60 pixels',
  );
  for (const f of out) {
    assert.equal(f.faces[0].id, 1);
    assert.ok(iou(f.faces[0].box, truth(f.index)) > 0.95, `frame ${f.index}`);
  }
});

test('emotions are smoothed over time; raw keeps the last reading', async () => {
  // the face changes from face 1 (disgust) to face 3 (happy) at frame 15, in place
  const box = { x: 100, y: 60, width: 60, height: 70 };
  const frames = [...still(15, [{ face: 1, box }]), ...still(30, [{ face: 3, box }])];
  const { out } = await run(frames, { smoothing: 0.5, classifyEvery: 0, sceneChange: Infinity });
  const f16 = out[16].faces[0];
  assert.equal(f16.raw.happy, 0.7);
  assert.ok(f16.emotions.happy < 0.4 && f16.emotions.disgust > 0.4, JSON.stringify(f16.emotions));
  assert.equal(out[44].faces[0].emotion, 'happy', 'after a second the new expression leads');
  const sum = Object.values(f16.emotions).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-9);
});

test('reset starts a new sequence; bad options and frames are refused with what to give', async () => {
  const { follower } = await run(still(3, [{ face: 1, box: { x: 100, y: 60, width: 60, height: 70 } }]));
  await assert.rejects(follower.next(frame([]), 0), (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT' && /do not go back/.test(e.message));
  follower.reset();
  const first = await follower.next(frame([]), 0);
  assert.equal(first.search, 'first');
  assert.equal(follower.counts.frames, 1);
  const reader = new FakeReader();
  for (const bad of [{ detectEvery: -1 }, { keepLost: 1.5 }, { follow: 'guess' as never }, { searchScale: 0.5 }])
    assert.throws(
      () => new FaceFollower(reader, bad),
      (e: unknown) => e instanceof FerkitError && e.code === 'BAD_ARGUMENT',
    );
  await assert.rejects(
    new FaceFollower(reader).next({ data: new Uint8Array(5), width: 4, height: 4 }, 0),
    (e: unknown) => e instanceof FerkitError && e.code === 'BAD_IMAGE',
  );
});

test('moveFace scales and shifts the box and every point alike; cropRgb clips to the picture', () => {
  const face: DetectedFace = {
    box: { x: 10, y: 20, width: 10, height: 20 },
    score: 0.8,
    eyes: { left: { x: 12, y: 25 }, right: { x: 18, y: 25 } },
    keypoints: [{ x: 15, y: 30 }],
  };
  const moved = moveFace(face, face.box, { x: 100, y: 200, width: 20, height: 40 });
  assert.deepEqual(moved, {
    box: { x: 100, y: 200, width: 20, height: 40 },
    score: 0.8,
    eyes: { left: { x: 104, y: 210 }, right: { x: 116, y: 210 } },
    keypoints: [{ x: 110, y: 220 }],
  });
  const img = frame([{ face: 1, box: { x: 0, y: 0, width: 20, height: 20 } }]);
  const part = cropRgb(img, { x: -5.5, y: 10.2, width: 20, height: 300 });
  assert.deepEqual([part.x, part.y, part.image.width, part.image.height], [0, 10, 15, H - 10]);
  assert.deepEqual([...part.image.data.subarray(0, 3)], [...img.data.subarray(10 * W * 3, 10 * W * 3 + 3)]);
});

test('a face a search misses is followed on by its picture for missedSearches searches, then ends', async () => {
  const truth = (i: number): Box => ({ x: 20 + 2 * i, y: 50, width: 60, height: 70 });
  const frames = Array.from({ length: 50 }, (_, i) => frame([{ face: 2, box: truth(i) }]));
  const blind = () => Object.assign(new FakeReader(), { blind: new Set([1, 2]) }); // the searches of frames 15 and 30 find nothing
  const { out } = await run(frames, {}, blind());
  assert.deepEqual(
    [14, 15, 16, 29, 30, 31, 45].map((i) => out[i].faces.map((f) => `${f.id}:${f.origin}`).join()),
    ['1:tracked', '1:tracked', '1:tracked', '1:tracked', '', '', '2:detected'],
    'followed through the first missed search, ended at the second; found again as a new face',
  );
  assert.ok(iou(out[20].faces[0].box, truth(20)) > 0.8);
  const strict = await run(frames, { missedSearches: 0 }, blind());
  assert.deepEqual(
    [14, 15, 16].map((i) => strict.out[i].faces.length),
    [1, 0, 0],
  );
});
