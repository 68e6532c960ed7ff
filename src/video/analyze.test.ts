import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRecognizer, type Recognizer } from '../recognizer.js';
import { analyzeVideo, type TimelineEntry } from './analyze.js';
import { hasFfmpeg, probeVideo, readFrames } from './source.js';
import { emotionPlotSvg } from './plot.js';
import { FerkitError } from '../errors.js';
import { PROJECT_ROOT, SHARED_DATA, needs, tempDir } from '../testing/fixtures.js';

const PHOTOS = join(SHARED_DATA, 'photos', 'faceapi-examples');
const MODEL = join(PROJECT_ROOT, 'models', 'paper');
const noFfmpeg = hasFfmpeg() ? false : 'ffmpeg is not installed (apt-get install ffmpeg)';
const skip = noFfmpeg || needs(join(MODEL, 'model.json'), 'the bundled paper model') || needs(PHOTOS, 'the photos in ../shared/data/photos');

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

function ffmpeg(...args: string[]): void {
  const p = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
}

test('one face that changes expression: one id, the change found where it happens, bounded plot series', { skip }, async () => {
  // 2 s of an angry face, then 2 s of a surprised face framed the same way
  const file = join(tmp.dir, 'change.mp4');
  ffmpeg('-loop', '1', '-t', '2', '-i', join(PHOTOS, 'angry_cropped.jpg'), '-loop', '1', '-t', '2', '-i', join(PHOTOS, 'surprised_cropped.jpg'),
    '-filter_complex', '[0:v]scale=320:320,setsar=1,fps=10[a];[1:v]scale=320:320,setsar=1,fps=10[b];[a][b]concat=n=2:v=1[v]', '-map', '[v]', '-pix_fmt', 'yuv420p', file);
  const entries: TimelineEntry[] = [];
  const s = await analyzeVideo(r, file, { fps: 5, maxPlotPoints: 8, onEntry: (e) => entries.push(e) });
  assert.equal(s.framesAnalysed, 20);
  assert.equal(entries.length, 20);
  assert.deepEqual([...new Set(entries.map((e) => e.faceId))], [1]);
  assert.equal(s.faces.length, 1);
  assert.ok(s.faces[0].share.angry >= 0.4 && s.faces[0].share.surprise >= 0.3, JSON.stringify(s.faces[0].share));
  assert.ok(Math.abs(s.strongestChanges[0].time - 2) <= 0.4, `strongest change at ${s.strongestChanges[0].time}s`);
  const shares = Object.values(s.overall).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(shares - 1) < 1e-9);
  assert.ok(s.series.length <= 8, `${s.series.length} plot points`);
  for (const e of entries) assert.ok(Math.abs(Object.values(e.emotions).reduce((a, b) => a + b, 0) - 1) < 1e-4);
  assert.match(emotionPlotSvg(s), /^<svg[\s\S]*angry[\s\S]*<\/svg>$/);
});

test('two people in turn get two ids; a video without faces has no dominant emotion', { skip }, async () => {
  const file = join(tmp.dir, 'two.mp4');
  ffmpeg('-loop', '1', '-t', '1', '-i', join(PHOTOS, 'happy.jpg'), '-loop', '1', '-t', '1', '-i', join(PHOTOS, 'angry.jpg'),
    '-filter_complex', '[0:v]scale=640:360,setsar=1,fps=10[a];[1:v]scale=640:360,setsar=1,fps=10[b];[a][b]concat=n=2:v=1[v]', '-map', '[v]', '-pix_fmt', 'yuv420p', file);
  const s = await analyzeVideo(r, file, { fps: 5 });
  assert.deepEqual(s.faces.map((f) => f.dominant), ['happy', 'angry']);
  const blank = join(tmp.dir, 'blank.mp4');
  ffmpeg('-f', 'lavfi', '-i', 'color=c=white:s=320x240:d=1', '-pix_fmt', 'yuv420p', blank);
  const none = await analyzeVideo(r, blank, { fps: 5 });
  assert.equal(none.faces.length, 0);
  assert.equal(none.dominant, null);
  assert.equal(none.framesWithFaces, 0);
  assert.ok(none.framesAnalysed >= 4);
});

test('frames stream one at a time at the asked rate; a missing ffmpeg says how to install it', { skip: noFfmpeg }, async () => {
  const file = join(tmp.dir, 'bars.mp4');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=320x240:d=2:r=25', '-pix_fmt', 'yuv420p', file);
  assert.equal(probeVideo(file).width, 320);
  let n = 0;
  for await (const f of readFrames(file, { fps: 4 })) {
    assert.equal(f.image.data.length, 320 * 240 * 3);
    assert.equal(f.time, n / 4);
    n++;
  }
  assert.equal(n, 8);
  const saved = process.env.FERKIT_FFMPEG;
  process.env.FERKIT_FFMPEG = '/nonexistent/ffmpeg';
  try {
    assert.throws(() => probeVideo(file), (err: unknown) => err instanceof FerkitError && err.code === 'ENGINE_UNAVAILABLE' && /apt-get install ffmpeg/.test(err.message));
  } finally {
    if (saved === undefined) delete process.env.FERKIT_FFMPEG;
    else process.env.FERKIT_FFMPEG = saved;
  }
  assert.ok(existsSync(file) && readFileSync(file).length > 0);
});
