import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { EMOTIONS } from '../core/labels.js';
import { createRecognizer, type Recognizer, type RecognizerOptions } from '../node/index.js';
import { DEFAULT_UNCERTAIN_BELOW, type FaceEmotion } from '../core/recognizer.js';
import { table, timelinePrinter } from '../core/results-format.js';
import { analyzeVideo, type TimelineEntry, type VideoSummary } from '../video/analyze.js';
import type { VideoTracking } from '../video/frame-faces.js';
import { FOLLOW_METHODS, type FollowMethod } from '../core/track/follow.js';
import { frameRecord, smoothedFace } from '../video/records.js';
import { DEFAULT_READ_TIMEOUT_MS, videoSource, type Frame, type VideoSource } from '../video/source.js';
import { AnnotatedVideoWriter } from '../video/writer.js';
import { writeEmotionPlot } from '../video/plot.js';
import type { AnnotateStyle } from '../draw/layout.js';
import { annotateStyleFlag, intFlag, numFlag, parseFlags } from './args.js';
import { FACE_FLAGS, OUTPUT_FLAGS, pickFlags, RECOGNIZER_FLAGS, booleanFlags, stringFlags } from './option-groups.js';
import { recognizerOptions } from './recognizer-options.js';
import { StatusLine } from './terminal.js';

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

const VIDEO_FLAGS = {
  ...stringFlags('fps'),
  ...OUTPUT_FLAGS,
  ...stringFlags('out', 'plot', 'summary', 'smoothing', 'max-side'),
  ...RECOGNIZER_FLAGS,
  ...stringFlags('detect-every', 'follow', 'annotate-video', 'annotate-style', 'read-timeout', 'max-seconds'),
  ...booleanFlags('no-track'),
  ...pickFlags(FACE_FLAGS, 'uncertain-below'),
};

/** What `ferkit video` was asked to do. */
interface VideoRequest {
  source: VideoSource;
  /** The timeline on stdout as it is made. */
  format?: 'json' | 'csv';
  recognizer: RecognizerOptions;
  /** Faces whose smoothed top probability is below this are uncertain. */
  uncertainBelow: number;
  fps: number;
  smoothing: number;
  maxSide: number;
  tracking: VideoTracking;
  readTimeoutMs: number;
  maxSeconds?: number;
  out?: string;
  plot?: string;
  summary?: string;
  annotateVideo?: { file: string; style: AnnotateStyle };
}

/** The command line, checked. */
function parseVideo(argv: string[]): VideoRequest {
  const { values: v, positionals } = parseFlags(argv, VIDEO_FLAGS, true);
  if (positionals.length !== 1) throw new FerkitError('BAD_ARGUMENT', 'video needs exactly one FILE, URL or camera device');
  if (v.json && v.csv) throw new FerkitError('BAD_ARGUMENT', 'give either --json or --csv, not both');
  const source = videoSource(positionals[0]);
  const fps = numFlag(v.fps, 'fps', 5);
  const style = annotateStyleFlag(v['annotate-style'], v['annotate-video'], '--annotate-video');
  // the smoothed emotions' uncertainty, not the recognizer's
  const { 'uncertain-below': uncertainBelow, ...recognizerFlags } = v;
  const readTimeout = numFlag(v['read-timeout'], 'read-timeout', DEFAULT_READ_TIMEOUT_MS / 1000);
  return {
    source,
    ...(v.json ? { format: 'json' as const } : v.csv ? { format: 'csv' as const } : {}),
    uncertainBelow: numFlag(uncertainBelow, 'uncertain-below', DEFAULT_UNCERTAIN_BELOW),
    tracking: trackingFlags(v['detect-every'], v['no-track'], v.follow),
    readTimeoutMs: positiveSeconds(readTimeout, 'read-timeout', v['read-timeout']) * 1000,
    ...(v['max-seconds'] !== undefined ? { maxSeconds: positiveSeconds(numFlag(v['max-seconds'], 'max-seconds', 0), 'max-seconds', v['max-seconds']) } : {}),
    recognizer: recognizerOptions(recognizerFlags),
    fps,
    smoothing: numFlag(v.smoothing, 'smoothing', 0.5),
    maxSide: intFlag(v['max-side'], 'max-side', 1280),
    ...(v.out ? { out: v.out } : {}),
    ...(v.plot ? { plot: v.plot } : {}),
    ...(v.summary ? { summary: v.summary } : {}),
    ...(v['annotate-video'] ? { annotateVideo: { file: v['annotate-video'], style } } : {}),
  };
}

function positiveSeconds(value: number, flag: string, given: string | undefined): number {
  if (!(value > 0)) throw new FerkitError('BAD_ARGUMENT', `--${flag} must be a number of seconds above 0, got "${given}"`);
  return value;
}

export async function videoCommand(argv: string[], log: (s: string) => void, out: (s: string) => void): Promise<number> {
  const request = parseVideo(argv);
  const recognizer = await createRecognizer(request.recognizer);
  const summary = await analyze(recognizer, request, log, out);
  const wrote = await writeSummary(summary, request);
  const text = formatVideoSummary(summary);
  if (request.format) log(text.trimEnd());
  else out(text);
  // the whole command, from the start of the process (loading the engine and the model included)
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

/** Analyses the video, streaming its timeline out; the first Ctrl-C stops reading and keeps what was seen, a second one quits at once. */
async function analyze(recognizer: Recognizer, request: VideoRequest, log: (s: string) => void, out: (s: string) => void): Promise<VideoSummary> {
  const outputs = timelineOutputs(request, out);
  const status = new StatusLine();
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    status.clear();
    log('stopping: finishing the summary of what was analysed (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  const t0 = performance.now();
  try {
    return await analyzeVideo(recognizer, request.source, {
      fps: request.fps,
      smoothing: request.smoothing,
      maxSide: request.maxSide,
      tracking: request.tracking,
      signal: stop.signal,
      readTimeoutMs: request.readTimeoutMs,
      ...(request.maxSeconds !== undefined ? { maxSeconds: request.maxSeconds } : {}),
      onFrameFaces: outputs.frame,
      onFrame: (i, t) => {
        if (i % 5 === 0) status.show(`frame ${i} (${t.toFixed(1)}s), ${(i / ((performance.now() - t0) / 1000)).toFixed(1)} frames/s`);
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    recognizer.dispose();
    status.clear();
    await outputs.close();
  }
}

/** Where each frame's faces go as they are known: stdout (--json, --csv), DIR/timeline.csv (--out), the annotated video. */
function timelineOutputs(request: VideoRequest, out: (s: string) => void) {
  const { uncertainBelow } = request;
  let file: ReturnType<typeof createWriteStream> | undefined;
  if (request.out) {
    mkdirSync(request.out, { recursive: true });
    file = createWriteStream(join(request.out, 'timeline.csv'));
  }
  const toFile = file ? timelinePrinter('csv', (s) => void file.write(s)) : undefined;
  const writer = request.annotateVideo ? new AnnotatedVideoWriter(request.annotateVideo.file, request.fps, { style: request.annotateVideo.style }) : undefined;
  const toStdout = request.format ? timelinePrinter(request.format, out) : undefined;
  return {
    frame: async (frame: Frame, faces: { entry: TimelineEntry; face: FaceEmotion }[]) => {
      const smoothed = faces.map(({ entry, face }) => smoothedFace(entry, face, uncertainBelow));
      faces.forEach(({ entry }, k) => {
        const record = frameRecord(entry, smoothed[k]);
        toStdout?.(record);
        toFile?.(record);
      });
      await writer?.write(
        frame.image,
        smoothed,
        faces.map((f) => f.entry.faceId),
      );
    },
    close: async () => {
      await new Promise<void>((resolve) => (file ? file.end(resolve) : resolve()));
      await writer?.close();
    },
  };
}

/** Writes the summary and the plot where asked (--out, --summary, --plot); the files written, for the last line. */
async function writeSummary(summary: VideoSummary, request: VideoRequest): Promise<string[]> {
  const json = JSON.stringify(summary, null, 2) + '\n';
  if (request.out) {
    writeFileSync(join(request.out, 'summary.json'), json);
    await writeEmotionPlot(summary, join(request.out, 'emotions.svg'));
  }
  if (request.summary) writeFileSync(request.summary, json);
  if (request.plot) await writeEmotionPlot(summary, request.plot);
  return [request.out && join(request.out, 'timeline.csv') + ', summary.json, emotions.svg', request.annotateVideo?.file, request.plot, request.summary].filter(
    (f): f is string => Boolean(f),
  );
}
