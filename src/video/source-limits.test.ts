/** Hostile video files: only real containers are opened, with the demuxer ffprobe found; a file cut short is reported. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { fileDemuxer, hasFfmpeg, probeVideo, readFrames, type EarlyEnd } from './source.js';
import { FerkitError } from '../errors.js';
import { tempDir } from '../../test/fixtures.js';

const noFfmpeg = hasFfmpeg() ? false : 'ffmpeg is not installed (apt-get install ffmpeg)';
const tmp = tempDir();
after(tmp.cleanup);

function ffmpeg(...args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args]);
  assert.equal(r.status, 0, r.stderr?.toString());
}

const isBadImage = (message: RegExp) => (err: unknown) => err instanceof FerkitError && err.code === 'BAD_IMAGE' && message.test(err.message);

test('fileDemuxer: the first name of an allowed container; anything else refused', () => {
  assert.equal(fileDemuxer('mov,mp4,m4a,3gp,3g2,mj2', 'a.mp4'), 'mov');
  assert.equal(fileDemuxer('matroska,webm', 'a.webm'), 'matroska');
  assert.equal(fileDemuxer('mpegts', 'a.ts'), 'mpegts');
  for (const f of ['hls', 'concat', 'image2', 'jpeg_pipe', 'tty', 'svg_pipe', undefined])
    assert.throws(() => fileDemuxer(f, 'x.mp4'), isBadImage(/x\.mp4: .*(not a video container|no container)/));
});

test('probeVideo names the container; a picture, a text file or a playlist named .mp4 is refused', { skip: noFfmpeg }, async () => {
  const mp4 = join(tmp.dir, 'ok.mp4');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=64x48:d=1:r=10', '-pix_fmt', 'yuv420p', mp4);
  assert.match((await probeVideo(mp4)).format ?? '', /^mov,mp4/);
  const jpeg = join(tmp.dir, 'photo.mp4');
  writeFileSync(
    jpeg,
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 1, g: 2, b: 3 } } })
      .jpeg()
      .toBuffer(),
  );
  await assert.rejects(probeVideo(jpeg), isBadImage(/photo\.mp4/));
  const text = join(tmp.dir, 'notes.mp4');
  writeFileSync(text, 'just some text\n'.repeat(100));
  await assert.rejects(probeVideo(text), isBadImage(/notes\.mp4/));
  const list = join(tmp.dir, 'list.mp4');
  writeFileSync(list, `ffconcat version 1.0\nfile '${mp4}'\n`);
  await assert.rejects(probeVideo(list), isBadImage(/list\.mp4/));
});

test('an mp4 cut at 60%: the frames before the cut, then the early end reported', { skip: noFfmpeg }, async () => {
  const whole = join(tmp.dir, 'whole.mp4');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=64x48:d=4:r=10', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', whole);
  const bytes = readFileSync(whole);
  const cut = join(tmp.dir, 'cut.mp4');
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  // the whole file: no early end
  let n = 0;
  for await (const f of readFrames(whole, { fps: 5 })) n += f.image.width > 0 ? 1 : 0;
  assert.ok(n >= 19, `${n} frames`);
  // the cut one: an error after its frames, or a call to onEarlyEnd
  let frames = 0;
  await assert.rejects(
    async () => {
      for await (const f of readFrames(cut, { fps: 5 })) frames += f.image.width > 0 ? 1 : 0;
    },
    isBadImage(/cut\.mp4: the video ends early, after [\d.]+ s of the 4\.0 s its header announces/),
  );
  assert.ok(frames < 19, `${frames} frames before the cut`);
  const ends: EarlyEnd[] = [];
  let frames2 = 0;
  for await (const f of readFrames(cut, { fps: 5, onEarlyEnd: (e) => ends.push(e) })) frames2 += f.image.width > 0 ? 1 : 0;
  assert.equal(frames2, frames);
  assert.equal(ends.length, 1);
  assert.equal(ends[0].expectedSeconds, 4);
  assert.ok(ends[0].seconds < 4);
});
