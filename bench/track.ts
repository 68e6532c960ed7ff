/**
 * `npm run bench:track`: detect-then-track against the detector on every
 * frame, on a clip of moving faces (the shared photos of
 * ../shared/data/photos/faceapi-examples, each panned and zoomed for 1.5 s,
 * 640x480 at 30 fps). Prints the speed both ways (frames per second) and
 * how far the two timelines agree: the share of face-seconds whose top
 * smoothed emotion is the same, and whether the same faces were followed.
 *
 *   npm run bench:track -- [--detector accurate|fast|auto] [--detect-every S] [--follow motion|detect] [--seconds S]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SHARED_DATA, tempDir, testVideo, type VideoScene } from '../test/fixtures.js';
import { cpuDescription } from './timing.js';
import { createRecognizer } from '../src/index.js';
import { analyzeVideo, type TimelineEntry, type VideoTracking, timelineAgreement, type FollowMethod } from '../src/entries/video.js';
import { detectorChoice } from '../src/entries/models.js';

const { values: v } = parseArgs({
  options: {
    detector: { type: 'string', default: 'accurate' },
    'detect-every': { type: 'string', default: '0.5' },
    follow: { type: 'string', default: 'motion' },
    seconds: { type: 'string', default: '1.5' },
  },
});
const PHOTOS = join(SHARED_DATA, 'photos', 'faceapi-examples');
const seconds = Number(v.seconds);
const fps = 30;

/** Each photo panned one way or the other while the view zooms in or out. */
export function movingScenes(dir: string, sceneSeconds: number): VideoScene[] {
  const files = readdirSync(dir)
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort();
  return files.map((f, i) => ({
    picture: join(dir, f),
    seconds: sceneSeconds,
    move: {
      zoom: i % 2 ? [1.35, 1.1] : [1.1, 1.35],
      x: i % 3 === 0 ? [0.1, 0.9] : [0.9, 0.1],
      y: i % 4 < 2 ? [0.3, 0.7] : [0.7, 0.3],
    },
  }));
}

const tmp = tempDir('ferkit-bench-track-');
try {
  const scenes = movingScenes(PHOTOS, seconds);
  const file = testVideo(join(tmp.dir, 'moving.mp4'), scenes, { width: 640, height: 480, fps });
  const recognizer = await createRecognizer({ detector: detectorChoice(v.detector) });
  await recognizer.recognizeRgb([{ data: new Uint8Array(640 * 480 * 3).fill(128), width: 640, height: 480 }]);
  const every = Number(v['detect-every']);
  const tracking: VideoTracking = { detectEvery: every, follow: v.follow as FollowMethod };
  const run = async (t: VideoTracking) => {
    const entries: TimelineEntry[] = [];
    const t0 = performance.now();
    const summary = await analyzeVideo(recognizer, file, { fps, tracking: t, onEntry: (e) => entries.push(e) });
    return { entries, summary, seconds: (performance.now() - t0) / 1000 };
  };
  const full = await run(false);
  const tracked = await run(tracking);
  recognizer.dispose();
  // face-seconds in which the detector on every frame saw the face in half the frames at least, and all of them
  const a = timelineAgreement(full.entries, tracked.entries, { minFrames: fps / 2 });
  const all = timelineAgreement(full.entries, tracked.entries);
  const frames = full.summary.framesAnalysed;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`CPU: ${cpuDescription()}`);
  console.log(
    `clip: ${scenes.length} photos panned and zoomed, ${seconds} s each, 640x480 at ${fps} fps (${frames} frames); detector ${v.detector}, emotion model on ${recognizer.runtime}`,
  );
  console.log(`every frame:           ${(frames / full.seconds).toFixed(1)} frames/s (${full.seconds.toFixed(1)} s)`);
  console.log(
    `detect every ${every} s (${v.follow}): ${(tracked.summary.framesAnalysed / tracked.seconds).toFixed(1)} frames/s (${tracked.seconds.toFixed(1)} s), ${(full.seconds / tracked.seconds).toFixed(1)}x`,
  );
  console.log(
    `top emotion agrees in ${a.agreeing} of ${a.faceSeconds} face-seconds (${pct(a.share)}) of faces seen in half the frames of a second or more; ${a.unmatched} without a tracked face at the place`,
  );
  console.log(
    `counting every face-second, also those of faces seen in fewer frames: ${all.agreeing} of ${all.faceSeconds} (${pct(all.share)}); ${all.unmatched} without a tracked face`,
  );
  console.log(`faces: ${a.referenceFaces} seen that long every frame, ${a.sameFaces} of them followed as one face each (${a.otherFaces} tracked faces in all)`);
} finally {
  tmp.cleanup();
}
