/** Detect, then track against the detector on every frame, on a short clip of moving faces (the full comparison: npm run bench:track). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createRecognizer, type Recognizer } from '../node/index.js';
import { analyzeVideo, type TimelineEntry } from './analyze.js';
import type { VideoTracking } from './frame-faces.js';
import { timelineAgreement } from './agreement.js';
import { hasFfmpeg } from './source.js';
import { PROJECT_ROOT, SHARED_DATA, needs, tempDir, testVideo } from '../../test/fixtures.js';

const PHOTOS = join(SHARED_DATA, 'photos', 'faceapi-examples');
const MODEL = join(PROJECT_ROOT, 'models', 'paper');
const skip =
  (hasFfmpeg() ? false : 'ffmpeg is not installed') || needs(join(MODEL, 'model.json'), 'the bundled paper model') || needs(PHOTOS, 'the shared photos');

let r: Recognizer;
let tmp: { dir: string; cleanup: () => void };
before(async () => {
  tmp = tempDir();
  if (!skip) r = await createRecognizer({ model: MODEL });
});
after(() => {
  r?.dispose();
  tmp.cleanup();
});

test('detect, then track: the same faces and emotions as the detector on every frame, with far fewer detector passes', { skip }, async () => {
  const scenes = [
    {
      picture: join(PHOTOS, 'happy.jpg'),
      seconds: 1.5,
      move: { zoom: [1.1, 1.3] as [number, number], x: [0.1, 0.9] as [number, number], y: [0.4, 0.6] as [number, number] },
    },
    {
      picture: join(PHOTOS, 'bbt2.jpg'),
      seconds: 1.5,
      move: { zoom: [1.3, 1.1] as [number, number], x: [0.9, 0.1] as [number, number], y: [0.6, 0.4] as [number, number] },
    },
  ];
  const file = testVideo(join(tmp.dir, 'moving.mp4'), scenes, { width: 640, height: 480, fps: 10 });
  const run = async (tracking: VideoTracking) => {
    let searches = 0;
    const counted: Recognizer = {
      ...r,
      detect: (img, call) => {
        searches++;
        return r.detect(img, call);
      },
      recognizeRgb: (images, call) => {
        searches += images.length;
        return r.recognizeRgb(images, call);
      },
    };
    const entries: TimelineEntry[] = [];
    const summary = await analyzeVideo(counted, file, { fps: 10, tracking, onEntry: (e) => entries.push(e) });
    return { entries, summary, searches };
  };
  const full = await run(false);
  const tracked = await run({});
  assert.equal(full.searches, 30, 'every frame searched');
  // the first frame, every 0.5 s after, the cut between the photos, and frames the fast pan changed enough
  assert.ok(tracked.searches >= 7 && tracked.searches <= 15, `${tracked.searches} searches of 30 frames`);
  const a = timelineAgreement(full.entries, tracked.entries);
  assert.ok(a.referenceFaces >= 2, `${a.referenceFaces} faces found`);
  assert.equal(a.sameFaces, a.referenceFaces, JSON.stringify(a));
  assert.ok(a.share >= 0.8, `top emotion agrees in ${a.agreeing} of ${a.faceSeconds} face-seconds`);
  assert.equal(tracked.summary.framesAnalysed, 30);
});
