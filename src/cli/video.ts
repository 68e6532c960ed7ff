import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../errors.js';
import { EMOTIONS } from '../labels.js';
import { createRecognizer } from '../recognizer.js';
import { analyzeVideo, type TimelineEntry, type VideoSummary } from '../video/analyze.js';
import { writeEmotionPlot } from '../video/plot.js';
import { table } from '../eval/format.js';
import { intFlag, numFlag, parseFlags } from './args.js';

export const VIDEO_HELP = `ferkit video FILE [options]

Samples the frames of a video (ffmpeg), finds the faces, keeps each face's id
across frames, smooths its emotions over time, and reports a timeline, a
summary (share of each emotion per face and overall, the dominant emotion,
the moments of strongest change) and a plot. Memory stays bounded on long videos.

  --fps N             frames sampled per second (default 5)
  --json | --csv      print the timeline (time, frame, face id, box, emotions) to stdout
  --out DIR           write DIR/timeline.csv, DIR/summary.json and DIR/emotions.svg
  --plot FILE         write the plot to FILE (.svg or .png)
  --summary FILE      write the summary as JSON to FILE
  --smoothing S       half-life of the smoothing in seconds (default 0.5; 0 = off)
  --max-side N        scale frames down to this longest side (default 1280)
  --model DIR         model folder, or a bundled model by name: default (the default) or paper
  --min-confidence P  face detection threshold (default 0.5)
  --backend NAME      auto | native | wasm | cpu`;

const CSV_HEADER = ['time', 'frame', 'face', 'x', 'y', 'width', 'height', 'emotion', ...EMOTIONS].join(',');
const r3 = (v: number) => Number(v.toFixed(3));
const csvLine = (e: TimelineEntry) => [r3(e.time), e.frame, e.faceId, r3(e.box.x), r3(e.box.y), r3(e.box.width), r3(e.box.height), e.emotion, ...EMOTIONS.map((k) => r3(e.emotions[k]))].join(',');
const jsonLine = (e: TimelineEntry) => JSON.stringify({ time: r3(e.time), frame: e.frame, faceId: e.faceId, box: { x: r3(e.box.x), y: r3(e.box.y), width: r3(e.box.width), height: r3(e.box.height) }, emotion: e.emotion, emotions: Object.fromEntries(EMOTIONS.map((k) => [k, r3(e.emotions[k])])) });

/** The human-readable summary of a video analysis. */
export function formatVideoSummary(s: VideoSummary): string {
  const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
  const lines = [
    `${s.file}: ${s.video.width}x${s.video.height}, ${Number.isFinite(s.video.duration) ? `${s.video.duration.toFixed(1)}s` : 'unknown length'}; ${s.framesAnalysed} frames sampled at ${s.sampledFps} fps, faces in ${s.framesWithFaces}`,
    `faces: ${s.faces.length}; dominant emotion overall: ${s.dominant ?? 'none (no face)'}`,
  ];
  if (s.faces.length) {
    lines.push('', table([
      ['face', 'frames', 'seen (s)', 'dominant', ...EMOTIONS],
      ...s.faces.map((f) => [String(f.faceId), String(f.frames), `${f.firstSeen.toFixed(1)}-${f.lastSeen.toFixed(1)}`, f.dominant, ...EMOTIONS.map((e) => pct(f.share[e]))]),
      ['all', String(s.faces.reduce((a, f) => a + f.frames, 0)), '', s.dominant ?? '', ...EMOTIONS.map((e) => pct(s.overall[e]))],
    ]));
    if (s.strongestChanges.length) {
      lines.push('', 'strongest changes:');
      for (const c of s.strongestChanges) lines.push(`  ${c.time.toFixed(1)}s face ${c.faceId}: ${c.from} -> ${c.to} (change ${c.change.toFixed(2)})`);
    }
  }
  return lines.join('\n') + '\n';
}

export async function videoCommand(argv: string[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const { values: v, positionals } = parseFlags(argv, {
    fps: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'boolean' }, out: { type: 'string' }, plot: { type: 'string' },
    summary: { type: 'string' }, smoothing: { type: 'string' }, 'max-side': { type: 'string' }, model: { type: 'string' },
    'min-confidence': { type: 'string' }, backend: { type: 'string' },
  }, true);
  if (positionals.length !== 1) throw new FerkitError('BAD_ARGUMENT', 'video needs exactly one FILE');
  if (v.json && v.csv) throw new FerkitError('BAD_ARGUMENT', 'give either --json or --csv, not both');
  const file = positionals[0];
  const fps = numFlag(v.fps, 'fps', 5);
  const recognizer = await createRecognizer({
    ...(v.model ? { model: v.model } : {}),
    ...(v.backend ? { backend: v.backend as 'auto' } : {}),
    detector: { minConfidence: numFlag(v['min-confidence'], 'min-confidence', 0.5) },
  });
  let timelineFile: WriteStream | undefined;
  if (v.out) {
    mkdirSync(v.out, { recursive: true });
    timelineFile = createWriteStream(join(v.out, 'timeline.csv'));
    timelineFile.write(CSV_HEADER + '\n');
  }
  if (v.csv) out(CSV_HEADER + '\n');
  const tty = Boolean(process.stderr.isTTY);
  const t0 = performance.now();
  let summary: VideoSummary;
  try {
    summary = await analyzeVideo(recognizer, file, {
      fps,
      smoothing: numFlag(v.smoothing, 'smoothing', 0.5),
      maxSide: intFlag(v['max-side'], 'max-side', 1280),
      onEntry: (e) => {
        if (v.json) out(jsonLine(e) + '\n');
        else if (v.csv) out(csvLine(e) + '\n');
        timelineFile?.write(csvLine(e) + '\n');
      },
      onFrame: (i, t) => {
        if (tty && i % 5 === 0) process.stderr.write(`\r\x1b[2Kframe ${i} (${t.toFixed(1)}s), ${(i / ((performance.now() - t0) / 1000)).toFixed(1)} frames/s`);
      },
    });
  } finally {
    recognizer.dispose();
    if (tty) process.stderr.write('\r\x1b[2K');
    await new Promise<void>((resolve) => (timelineFile ? timelineFile.end(resolve) : resolve()));
  }
  const summaryJson = JSON.stringify(summary, null, 2) + '\n';
  if (v.out) {
    writeFileSync(join(v.out, 'summary.json'), summaryJson);
    await writeEmotionPlot(summary, join(v.out, 'emotions.svg'));
  }
  if (v.summary) writeFileSync(v.summary, summaryJson);
  if (v.plot) await writeEmotionPlot(summary, v.plot);
  const text = formatVideoSummary(summary);
  if (v.json || v.csv) log(text.trimEnd());
  else out(text);
  log(`analysed ${summary.framesAnalysed} frames in ${((performance.now() - t0) / 1000).toFixed(1)}s${v.out ? `; wrote ${join(v.out, 'timeline.csv')}, summary.json, emotions.svg` : ''}`);
  return 0;
}
