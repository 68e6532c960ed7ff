import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { EMOTIONS } from '../core/labels.js';
import { createRecognizer } from '../node/index.js';
import { DEFAULT_UNCERTAIN_BELOW } from '../core/recognizer.js';
import { FACE_CSV_COLUMNS, faceCsvCells } from '../core/results.js';
import { analyzeVideo, type VideoSummary } from '../video/analyze.js';
import type { VideoTracking } from '../video/frame-faces.js';
import { FOLLOW_METHODS, type FollowMethod } from '../core/track/follow.js';
import { frameRecord, smoothedFace, type FrameRecord } from '../video/records.js';
import { DEFAULT_READ_TIMEOUT_MS, videoSource } from '../video/source.js';
import { AnnotatedVideoWriter } from '../video/writer.js';
import { writeEmotionPlot } from '../video/plot.js';
import { table } from '../eval/format.js';
import { annotateStyleFlag, intFlag, numFlag, parseFlags, backendFlag, detectorFlag, runtimeFlag } from './args.js';

export const VIDEO_HELP = `ferkit video FILE|URL|CAMERA [options]

Samples the frames of a video, finds the faces, keeps each face's id across
frames, smooths its emotions over time, and reports a timeline, a summary
(share of each emotion per face and overall, the dominant emotion, the
moments of strongest change) and a plot. Reads a local file, a network
stream (http, https, rtsp, rtmp URL) or a camera (/dev/video0) with ffmpeg,
which may use only the protocol of what was given: a file cannot make it
open another file or a URL. A live stream is analysed as it comes; Ctrl-C
stops it and prints the summary of what was seen. Memory stays bounded.

  --fps N              frames sampled per second (default 5)
  --json | --csv       print the timeline to stdout as it is made, a face per line: time, frame,
                       faceId, box, emotion, confidence, uncertain, top and emotions (smoothed)
  --out DIR            write DIR/timeline.csv, DIR/summary.json and DIR/emotions.svg
  --plot FILE          write the plot to FILE (.svg or .png): emotions over time and a band per face
  --summary FILE       write the summary as JSON to FILE
  --annotate-video OUT write the sampled frames with boxes, labels and the smoothed probabilities
                       as a video (.mp4)
  --annotate-style S   with --annotate-video: full (default: box, label and a panel of the smoothed
                       probabilities beside each face, never over a face) or labels (box and label)
  --smoothing S        half-life of the smoothing in seconds (default 0.5; 0 = off)
  --max-side N         scale frames down to this longest side (default 1280)
  --read-timeout S     a stream (URL or camera) that sends no frame for S seconds fails with
                       TIMEOUT, after the frames it sent (default 20)
  --max-seconds S      stop after S seconds of video, as Ctrl-C does: the longest reading of a live
                       stream (default: to the end)
  --model DIR          model folder, or a bundled model by name: default, fast (the fast model:
                       smaller, for live video) or paper
  --detector NAME      auto (default: the fast detector, BlazeFace, and for anything but close-ups
                       also the accurate one, SSD-MobileNet); fast (BlazeFace alone); accurate
  --min-confidence P   face detection threshold (default 0.5)
  --detect-every S     search whole frames for faces every S seconds of video (default 0.5) and when
                       the picture changes, and follow each face in between; 0 searches every frame
  --no-track           search every sampled frame for faces (the same as --detect-every 0)
  --follow HOW         how faces are followed between searches: motion (default: by their picture,
                       no detector pass) or detect (the detector on the neighbourhood of each face)
  --uncertain-below P  flag faces whose smoothed top probability is below P (default 0.5; 0 = none)
  --backend NAME       auto | native | wasm | cpu
  --runtime NAME       auto | onnx (ONNX Runtime) | tfjs: what runs the emotion model (default auto:
                       ONNX Runtime where it loads)

examples:
  ferkit video meeting.mp4 --out report/
  ferkit video rtsp://camera.local/stream --json
  ferkit video /dev/video0 --csv > live.csv`;

const CSV_HEADER = ['time', 'frame', ...FACE_CSV_COLUMNS].join(',');
const csvLine = (r: FrameRecord) => [r.time, r.frame, ...faceCsvCells(r)].join(',');

/** The human-readable summary of a video analysis. */
export function formatVideoSummary(s: VideoSummary): string {
  const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
  const lines = [
    `${s.file}: ${s.video.width}x${s.video.height}, ${Number.isFinite(s.video.duration) ? `${s.video.duration.toFixed(1)}s` : 'unknown length'}; ${s.framesAnalysed} frames sampled at ${s.sampledFps} fps, faces in ${s.framesWithFaces}${s.limit ? `; stopped at the limit of ${s.limit.seconds.toFixed(1)} s` : s.stopped ? '; stopped before the end' : ''}`,
    `faces: ${s.faces.length}; dominant emotion overall: ${s.dominant ?? 'none (no face)'}`,
  ];
  if (s.faces.length) {
    lines.push(
      '',
      table([
        ['face', 'frames', 'seen (s)', 'dominant', ...EMOTIONS],
        ...s.faces.map((f) => [
          String(f.faceId),
          String(f.frames),
          `${f.firstSeen.toFixed(1)}-${f.lastSeen.toFixed(1)}`,
          f.dominant,
          ...EMOTIONS.map((e) => pct(f.share[e])),
        ]),
        ['all', String(s.faces.reduce((a, f) => a + f.frames, 0)), '', s.dominant ?? '', ...EMOTIONS.map((e) => pct(s.overall[e]))],
      ]),
    );
    if (s.strongestChanges.length) {
      lines.push('', 'strongest changes:');
      for (const c of s.strongestChanges) lines.push(`  ${c.time.toFixed(1)}s face ${c.faceId}: ${c.from} -> ${c.to} (change ${c.change.toFixed(2)})`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Detect-then-track settings from the flags: --detect-every S (0: every frame), --no-track, --follow. */
export function trackingFlags(detectEvery: string | undefined, noTrack: boolean | undefined, follow: string | undefined): VideoTracking {
  if (noTrack && detectEvery !== undefined && Number(detectEvery) !== 0)
    throw new FerkitError('BAD_ARGUMENT', 'give either --no-track or --detect-every, not both');
  const every = noTrack ? 0 : numFlag(detectEvery, 'detect-every', 0.5);
  if (!(every >= 0)) throw new FerkitError('BAD_ARGUMENT', `--detect-every must be 0 or more seconds, got "${detectEvery}"`);
  if (follow !== undefined && !(FOLLOW_METHODS as readonly string[]).includes(follow))
    throw new FerkitError('BAD_ARGUMENT', `--follow must be ${FOLLOW_METHODS.join(' or ')}, got "${follow}"`);
  if (every === 0) {
    if (follow !== undefined) throw new FerkitError('BAD_ARGUMENT', '--follow needs tracking: drop --no-track or give --detect-every above 0');
    return false;
  }
  return { detectEvery: every, ...(follow ? { follow: follow as FollowMethod } : {}) };
}

export async function videoCommand(argv: string[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const { values: v, positionals } = parseFlags(
    argv,
    {
      fps: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      out: { type: 'string' },
      plot: { type: 'string' },
      summary: { type: 'string' },
      smoothing: { type: 'string' },
      'max-side': { type: 'string' },
      model: { type: 'string' },
      'min-confidence': { type: 'string' },
      detector: { type: 'string' },
      'detect-every': { type: 'string' },
      'no-track': { type: 'boolean' },
      follow: { type: 'string' },
      backend: { type: 'string' },
      runtime: { type: 'string' },
      'annotate-video': { type: 'string' },
      'annotate-style': { type: 'string' },
      'uncertain-below': { type: 'string' },
      'read-timeout': { type: 'string' },
      'max-seconds': { type: 'string' },
    },
    true,
  );
  if (positionals.length !== 1) throw new FerkitError('BAD_ARGUMENT', 'video needs exactly one FILE, URL or camera device');
  if (v.json && v.csv) throw new FerkitError('BAD_ARGUMENT', 'give either --json or --csv, not both');
  const source = videoSource(positionals[0]);
  const fps = numFlag(v.fps, 'fps', 5);
  const annotateStyle = annotateStyleFlag(v['annotate-style'], v['annotate-video'], '--annotate-video');
  const uncertainBelow = numFlag(v['uncertain-below'], 'uncertain-below', DEFAULT_UNCERTAIN_BELOW);
  const tracking = trackingFlags(v['detect-every'], v['no-track'], v.follow);
  const readTimeout = numFlag(v['read-timeout'], 'read-timeout', DEFAULT_READ_TIMEOUT_MS / 1000);
  if (!(readTimeout > 0)) throw new FerkitError('BAD_ARGUMENT', `--read-timeout must be a number of seconds above 0, got "${v['read-timeout']}"`);
  const maxSeconds = v['max-seconds'] === undefined ? undefined : numFlag(v['max-seconds'], 'max-seconds', 0);
  if (maxSeconds !== undefined && !(maxSeconds > 0))
    throw new FerkitError('BAD_ARGUMENT', `--max-seconds must be a number of seconds above 0, got "${v['max-seconds']}"`);
  const recognizer = await createRecognizer({
    ...(v.model ? { model: v.model } : {}),
    ...(v.backend ? { backend: backendFlag(v.backend) } : {}),
    ...(v.runtime ? { runtime: runtimeFlag(v.runtime) } : {}),
    detector: { kind: detectorFlag(v.detector), minConfidence: numFlag(v['min-confidence'], 'min-confidence', 0.5) },
  });
  let timelineFile: WriteStream | undefined;
  if (v.out) {
    mkdirSync(v.out, { recursive: true });
    timelineFile = createWriteStream(join(v.out, 'timeline.csv'));
    timelineFile.write(CSV_HEADER + '\n');
  }
  const writer = v['annotate-video'] ? new AnnotatedVideoWriter(v['annotate-video'], fps, { style: annotateStyle }) : undefined;
  if (v.csv) out(CSV_HEADER + '\n');
  const tty = Boolean(process.stderr.isTTY);
  // the first Ctrl-C stops reading and reports what was seen; a second one quits at once
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    if (tty) process.stderr.write('\r\x1b[2K');
    log('stopping: finishing the summary of what was analysed (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  const t0 = performance.now();
  let summary: VideoSummary;
  try {
    summary = await analyzeVideo(recognizer, source, {
      fps,
      smoothing: numFlag(v.smoothing, 'smoothing', 0.5),
      maxSide: intFlag(v['max-side'], 'max-side', 1280),
      tracking,
      signal: stop.signal,
      readTimeoutMs: readTimeout * 1000,
      ...(maxSeconds !== undefined ? { maxSeconds } : {}),
      onFrameFaces: async (frame, faces) => {
        const smoothed = faces.map(({ entry, face }) => smoothedFace(entry, face, uncertainBelow));
        faces.forEach(({ entry }, k) => {
          const rec = frameRecord(entry, smoothed[k]);
          if (v.json) out(JSON.stringify(rec) + '\n');
          else if (v.csv) out(csvLine(rec) + '\n');
          timelineFile?.write(csvLine(rec) + '\n');
        });
        await writer?.write(
          frame.image,
          smoothed,
          faces.map((f) => f.entry.faceId),
        );
      },
      onFrame: (i, t) => {
        if (tty && i % 5 === 0) process.stderr.write(`\r\x1b[2Kframe ${i} (${t.toFixed(1)}s), ${(i / ((performance.now() - t0) / 1000)).toFixed(1)} frames/s`);
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    recognizer.dispose();
    if (tty) process.stderr.write('\r\x1b[2K');
    await new Promise<void>((resolve) => (timelineFile ? timelineFile.end(resolve) : resolve()));
    await writer?.close();
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
  // the whole command, from the start of the process (loading the engine and the model included)
  const wrote = [v.out && join(v.out, 'timeline.csv') + ', summary.json, emotions.svg', v['annotate-video'], v.plot, v.summary].filter(Boolean);
  log(
    `analysed ${summary.framesAnalysed} frames in ${(performance.now() / 1000).toFixed(1)}s${summary.stopped ? ' (stopped early)' : ''}${wrote.length ? `; wrote ${wrote.join(', ')}` : ''}`,
  );
  // a file cut short: what was read stands, but the run did not see the whole video
  if (summary.endedEarly) {
    log(`ferkit video: ${summary.endedEarly.message}`);
    return 1;
  }
  return 0;
}
