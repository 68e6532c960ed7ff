import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { EMOTIONS, type Emotion } from '../core/labels.js';
import type { FaceEmotion } from '../core/recognizer.js';
import { hasFfmpeg } from './source.js';
import { AnnotatedVideoWriter } from './writer.js';
import { tempDir } from '../../test/fixtures.js';

const skip = hasFfmpeg() ? false : 'ffmpeg is not installed (apt-get install ffmpeg)';

function face(emotion: Emotion): FaceEmotion {
  const emotions = Object.fromEntries(EMOTIONS.map((e) => [e, e === emotion ? 0.7 : 0.05])) as Record<Emotion, number>;
  return {
    box: { x: 100, y: 60, width: 80, height: 100 },
    score: 1,
    emotions,
    emotion,
    confidence: 0.7,
    top: EMOTIONS.map((label) => ({ label, score: emotions[label] })).sort((a, b) => b.score - a.score),
    uncertain: false,
    roll: 0,
  };
}

test('annotated video: a long run of frames that outpace the encoder leaves no listener behind', { skip }, async () => {
  const tmp = tempDir();
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const [width, height, frames] = [640, 360, 40];
    const out = join(tmp.dir, 'many.mp4');
    const writer = new AnnotatedVideoWriter(out, 10);
    // each frame (691 kB) is far more than a pipe holds, so nearly every write waits for the encoder
    for (let i = 0; i < frames; i++) {
      const data = new Uint8Array(width * height * 3).fill((i * 6) % 256);
      await writer.write({ data, width, height }, i % 2 ? [face('happy')] : []);
    }
    await writer.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      warnings.map((w) => `${w.name}: ${w.message}`),
      [],
    );
    const probe = spawnSync(
      'ffprobe',
      ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', out],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(Number(probe.stdout.trim()), frames);
  } finally {
    process.off('warning', onWarning);
    tmp.cleanup();
  }
});

test('annotated video: an encoder that cannot write says so at the next frame', { skip }, async () => {
  const tmp = tempDir();
  try {
    const writer = new AnnotatedVideoWriter(join(tmp.dir, 'no-such-folder', 'out.mp4'), 10);
    const data = new Uint8Array(320 * 240 * 3);
    await assert.rejects(async () => {
      for (let i = 0; i < 200; i++) await writer.write({ data, width: 320, height: 240 }, []);
    }, /ffmpeg could not write the video/);
    await assert.rejects(writer.close(), /ffmpeg could not write the video/);
  } finally {
    tmp.cleanup();
  }
});
