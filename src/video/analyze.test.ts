import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { createRecognizer, type Recognizer } from '../node/index.js';
import { analyzeVideo, type TimelineEntry } from './analyze.js';
import { hasFfmpeg, probeVideo, readFrames, videoSource } from './source.js';
import { emotionPlotSvg, roundTicks, timeLabel } from './plot.js';
import { AnnotatedVideoWriter } from './writer.js';
import { FerkitError } from '../core/errors.js';
import { PROJECT_ROOT, SHARED_DATA, needs, tempDir, testVideo } from '../../test/fixtures.js';
import { claimDuration, matroskaVideo } from '../../test/lying-video.js';

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
  const scenes = ['angry_cropped.jpg', 'surprised_cropped.jpg'].map((p) => ({ picture: join(PHOTOS, p), seconds: 2 }));
  const file = testVideo(join(tmp.dir, 'change.mp4'), scenes, { width: 320, height: 320, fps: 10 });
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
  // smoothed float32 probabilities still sum to 1 up to rounding (~1e-7)
  for (const e of entries) assert.ok(Math.abs(Object.values(e.emotions).reduce((a, b) => a + b, 0) - 1) < 1e-4);
  assert.match(emotionPlotSvg(s), /^<svg[\s\S]*angry[\s\S]*<\/svg>$/);
});

test('two people in turn get two ids; a video without faces has no dominant emotion', { skip }, async () => {
  const scenes = ['happy.jpg', 'angry.jpg'].map((p) => ({ picture: join(PHOTOS, p), seconds: 1 }));
  const file = testVideo(join(tmp.dir, 'two.mp4'), scenes, { width: 640, height: 360, fps: 10 });
  const s = await analyzeVideo(r, file, { fps: 5 });
  assert.deepEqual(
    s.faces.map((f) => f.dominant),
    ['happy', 'angry'],
  );
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
  assert.equal((await probeVideo(file)).width, 320);
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
    await assert.rejects(
      probeVideo(file),
      (err: unknown) => err instanceof FerkitError && err.code === 'ENGINE_UNAVAILABLE' && /apt-get install ffmpeg/.test(err.message),
    );
  } finally {
    if (saved === undefined) delete process.env.FERKIT_FFMPEG;
    else process.env.FERKIT_FFMPEG = saved;
  }
  assert.ok(existsSync(file) && readFileSync(file).length > 0);
});

test('a segment read by seeking gives the frames a reading from the start gives there, with their indexes and times', { skip: noFfmpeg }, async () => {
  // keyframes every 2 s: the segments start between them too
  const file = join(tmp.dir, 'seek.mp4');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=160x120:d=6:r=25', '-g', '50', '-pix_fmt', 'yuv420p', file);
  const all: { index: number; time: number; data: Uint8Array }[] = [];
  for await (const f of readFrames(file, { fps: 5 })) all.push({ index: f.index, time: f.time, data: f.image.data });
  assert.equal(all.length, 30);
  const parts: typeof all = [];
  for (const [start, duration] of [
    [0, 1.4],
    [1.4, 2.2],
    [3.6, 3],
  ]) {
    for await (const f of readFrames(file, { fps: 5, start, duration })) parts.push({ index: f.index, time: f.time, data: f.image.data });
  }
  assert.deepEqual(
    parts.map((f) => [f.index, f.time]),
    all.map((f) => [f.index, f.time]),
  );
  for (const [i, f] of parts.entries()) assert.ok(Buffer.from(f.data).equals(Buffer.from(all[i].data)), `frame ${f.index} differs`);
});

test('sources: a URL may use only its own protocols, a file only the file protocol and video containers', () => {
  const url = videoSource('rtsp://camera.local/stream');
  assert.equal(url.kind, 'url');
  assert.deepEqual(url.inputArgs, ['-protocol_whitelist', 'rtsp,rtp,srtp,udp,tcp']);
  assert.equal(videoSource('https://example.org/live.m3u8').inputArgs[1], 'https,tls,tcp');
  assert.equal(videoSource('http://127.0.0.1:8080/a.mp4').inputArgs[1], 'http,tcp');
  assert.equal(videoSource('rtmp://example.org/app/key').inputArgs[1], 'rtmp,tcp');
  for (const u of ['https://a/b', 'http://a/b', 'rtsp://a/b', 'rtmp://a/b']) assert.ok(!videoSource(u).inputArgs[1].split(',').includes('file'), u);
  const file = videoSource(join(PROJECT_ROOT, 'package.json'));
  assert.equal(file.kind, 'file');
  assert.equal(file.ffmpegInput, `file:${join(PROJECT_ROOT, 'package.json')}`);
  assert.deepEqual(file.inputArgs.slice(0, 2), ['-protocol_whitelist', 'file']);
  assert.ok(!file.inputArgs[3].split(',').some((f) => ['hls', 'concat', 'image2'].includes(f)));
  const fails = (input: string, code: string, message: RegExp) =>
    assert.throws(
      () => videoSource(input),
      (err: unknown) => err instanceof FerkitError && err.code === code && message.test(err.message),
    );
  fails('file:///etc/passwd', 'BAD_ARGUMENT', /file:\/\/ is not a stream ferkit reads/);
  fails('ftp://example.org/a.mp4', 'BAD_ARGUMENT', /http, https, rtsp or rtmp/);
  fails(join(tmp.dir, 'missing.mp4'), 'DATA_NOT_FOUND', /no such video file/);
  fails('/dev/video98', 'DATA_NOT_FOUND', /no camera at \/dev\/video98/);
});

test('a playlist posing as a video file cannot make ffmpeg open another file', { skip: noFfmpeg }, async () => {
  const secret = join(tmp.dir, 'other.ts');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=64x48:d=1:r=5', '-pix_fmt', 'yuv420p', secret);
  const evil = join(tmp.dir, 'evil.mp4');
  writeFileSync(evil, `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n${secret}\n#EXT-X-ENDLIST\n`);
  await assert.rejects(probeVideo(evil), (err: unknown) => err instanceof FerkitError && err.code === 'BAD_IMAGE');
  await assert.rejects(
    async () => {
      for await (const f of readFrames(evil, { fps: 5 }, { width: 64, height: 48, duration: 1, fps: 5 })) assert.fail(`read frame ${f.index}`);
    },
    (err: unknown) => err instanceof FerkitError && err.code === 'BAD_IMAGE',
  );
});

/** Serves `file` over HTTP on a free loopback port, `chunk` bytes every `everyMs` (a live stream), or at once. */
async function serve(file: string, pace?: { chunk: number; everyMs: number }): Promise<{ url: string; close: () => Promise<void> }> {
  const data = readFileSync(file);
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp2t' });
    if (!pace) return void res.end(data);
    let at = 0;
    const tick = () => {
      if (res.destroyed) return;
      res.write(data.subarray(at, at + pace.chunk));
      at += pace.chunk;
      if (at >= data.length) return void res.end();
      const t = setTimeout(() => {
        timers.delete(t);
        tick();
      }, pace.everyMs);
      timers.add(t);
    };
    tick();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${basename(file)}`,
    close: () =>
      new Promise((resolve) => {
        timers.forEach(clearTimeout);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test('a stream over HTTP is analysed like the same file; stopping it keeps what was seen', { skip }, async () => {
  const file = testVideo(join(tmp.dir, 'stream.ts'), [{ picture: join(PHOTOS, 'happy.jpg'), seconds: 3 }], {
    width: 320,
    height: 180,
    fps: 10,
    format: 'mpegts',
  });
  const whole = await serve(file);
  try {
    const s = await analyzeVideo(r, whole.url, { fps: 2 });
    assert.equal(s.file, whole.url);
    assert.equal(s.stopped, false);
    assert.equal(s.framesAnalysed, 6);
    assert.equal(s.faces[0].dominant, 'happy');
    assert.deepEqual(
      s.faces[0].segments.map((g) => g.emotion),
      ['happy'],
    );
  } finally {
    await whole.close();
  }
  // a slow stream, stopped after its third frame: the summary holds those frames, ffmpeg is gone
  const live = await serve(file, { chunk: 4096, everyMs: 50 });
  try {
    const stop = new AbortController();
    const s = await analyzeVideo(r, live.url, {
      fps: 10,
      signal: stop.signal,
      onFrame: (i) => {
        if (i === 2) stop.abort();
      },
    });
    assert.equal(s.stopped, true);
    assert.ok(s.framesAnalysed >= 3 && s.framesAnalysed < 30, `${s.framesAnalysed} frames`);
  } finally {
    await live.close();
  }
});

test('plot: round time ticks and labels; one band per face', () => {
  assert.deepEqual(roundTicks(4), [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
  assert.deepEqual(roundTicks(6.3), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(roundTicks(95), [0, 15, 30, 45, 60, 75, 90]);
  assert.ok(roundTicks(3 * 3600).every((t) => t % 1800 === 0));
  assert.deepEqual(roundTicks(0), [0]);
  assert.deepEqual([0, 2.5, 40, 75, 3725].map(timeLabel), ['0s', '2.5s', '40s', '1:15', '1:02:05']);
  const face = (faceId: number, emotion: 'happy' | 'sad') => ({
    faceId,
    frames: 10,
    firstSeen: 0,
    lastSeen: 1.8,
    dominant: emotion,
    share: { angry: 0, disgust: 0, fear: 0, happy: emotion === 'happy' ? 1 : 0, sad: emotion === 'sad' ? 1 : 0, surprise: 0, neutral: 0 },
    mean: { angry: 0, disgust: 0, fear: 0, happy: 0.5, sad: 0.5, surprise: 0, neutral: 0 },
    segments: [{ start: 0, end: 1.8, emotion }],
  });
  const svg = emotionPlotSvg({
    file: 'x.mp4',
    stopped: false,
    video: { width: 1, height: 1, duration: 2, fps: 5 },
    sampledFps: 5,
    framesAnalysed: 10,
    framesWithFaces: 10,
    faces: [face(1, 'happy'), face(2, 'sad')],
    overall: { angry: 0, disgust: 0, fear: 0, happy: 0.5, sad: 0.5, surprise: 0, neutral: 0 },
    dominant: 'happy',
    strongestChanges: [],
    series: [{ time: 0, emotions: [0, 0, 0, 0.5, 0.5, 0, 0] }],
  });
  assert.deepEqual(
    [...svg.matchAll(/>face (\d+)</g)].map((m) => m[1]),
    ['1', '2'],
  );
  assert.match(svg, /<title>face 1: happy 0s-2s<\/title>/);
  assert.match(svg, />1\.5s</);
});

test('annotated video: the sampled frames, boxes drawn, at the sampled rate', { skip }, async () => {
  const file = testVideo(join(tmp.dir, 'annotate.mp4'), [{ picture: join(PHOTOS, 'happy.jpg'), seconds: 2 }], { width: 320, height: 180, fps: 10 });
  const out = join(tmp.dir, 'annotated.mp4');
  const writer = new AnnotatedVideoWriter(out, 4);
  const s = await analyzeVideo(r, file, {
    fps: 4,
    onFrameFaces: (frame, faces) =>
      writer.write(
        frame.image,
        faces.map((f) => f.face),
        faces.map((f) => f.entry.faceId),
      ),
  });
  await writer.close();
  const probe = spawnSync(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,nb_read_frames,r_frame_rate', '-of', 'json', out],
    { encoding: 'utf8' },
  );
  const st = JSON.parse(probe.stdout).streams[0];
  assert.deepEqual([st.width, st.height, Number(st.nb_read_frames), st.r_frame_rate], [320, 180, s.framesAnalysed, '4/1']);
  // the box is drawn: the first frame differs from the source frame around the face
  const firstFrame = async (video: string) => {
    for await (const f of readFrames(video, { fps: 4 })) return f;
    throw new Error(`${video} has no frame`);
  };
  const [first, orig] = [await firstFrame(out), await firstFrame(file)];
  let changed = 0;
  for (let i = 0; i < first.image.data.length; i++) if (Math.abs(first.image.data[i] - orig.image.data[i]) > 40) changed++;
  assert.ok(changed > 500, `${changed} values changed`);
});

test('a stream stopped before it sent a frame gives an empty summary, not an error', { skip }, async () => {
  const stop = new AbortController();
  const held: import('node:http').ServerResponse[] = [];
  // answers with headers and then nothing; the analysis is stopped once ffprobe has connected
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp2t' });
    held.push(res);
    stop.abort();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const s = await analyzeVideo(r, `http://127.0.0.1:${(server.address() as AddressInfo).port}/silent.ts`, { fps: 5, signal: stop.signal });
    assert.equal(s.stopped, true);
    assert.equal(s.framesAnalysed, 0);
    assert.deepEqual(s.faces, []);
    assert.equal(s.dominant, null);
  } finally {
    held.forEach((res) => res.destroy());
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a video whose header claims 2 h for 4 s of frames: the summary says where it ended; maxSeconds stops a reading and says so', { skip }, async () => {
  const file = join(tmp.dir, 'two-hours.mkv');
  writeFileSync(file, claimDuration(matroskaVideo(4), 7200));
  const s = await analyzeVideo(r, file, { fps: 2 });
  assert.equal(s.stopped, false);
  assert.equal(s.endedEarly?.expectedSeconds, 7200);
  assert.match(s.endedEarly?.message ?? '', /two-hours\.mkv: the video ends early, after 4\.0 s of the 7200\.0 s its header announces/);
  assert.equal(s.limit, undefined);
  const limited = await analyzeVideo(r, file, { fps: 2, maxSeconds: 1.5 });
  assert.equal(limited.framesAnalysed, 3);
  assert.equal(limited.stopped, true);
  assert.equal(limited.endedEarly, undefined);
  assert.match(limited.limit?.message ?? '', /stopped after 1\.5 s, the most a reading may take/);
});
