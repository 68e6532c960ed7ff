import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FerkitError } from '../core/errors.js';
import type { RgbImage } from '../core/image/pixels.js';
import { NOT_FOUND_EXIT, spawnTethered } from './tether.js';

export const FFMPEG_HELP =
  'install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) or set FERKIT_FFMPEG to its path';

export function ffmpegPath(): string {
  return process.env.FERKIT_FFMPEG ?? 'ffmpeg';
}
function ffprobePath(): string {
  return process.env.FERKIT_FFPROBE ?? (process.env.FERKIT_FFMPEG ? process.env.FERKIT_FFMPEG.replace(/ffmpeg(\.exe)?$/, 'ffprobe$1') : 'ffprobe');
}

/** Whether ffmpeg and ffprobe can be run. */
export function hasFfmpeg(): boolean {
  return [ffmpegPath(), ffprobePath()].every((cmd) => {
    const r = spawnSync(cmd, ['-version'], { stdio: 'ignore' });
    return r.status === 0;
  });
}

export interface VideoInfo {
  width: number;
  height: number;
  /** Seconds (NaN when unknown, e.g. a live stream). */
  duration: number;
  /** Frames per second of the source. */
  fps: number;
  /** The container, as ffprobe names it (`mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`, ...), where known. */
  format?: string;
  /** Size of the file or of the resource at the URL, in bytes, where known. */
  bytes?: number;
}

/**
 * The fewest bits a second of real video takes: a claimed duration that
 * would spread the file's bytes thinner than this is not believed. Still
 * pictures encoded at a frame a second stay above 1000 bits a second; a
 * 30 KB file claiming 70 days is at 0.04.
 */
export const MIN_BITS_PER_SECOND = 200;

/** The longest duration a header may claim (about three years); beyond it, or below 0, the file is refused as damaged. */
export const MAX_CLAIMED_SECONDS = 1e8;

/**
 * How far a video's claimed duration can be believed: `trusted` when the
 * file's size bears it out (at least MIN_BITS_PER_SECOND), `unverified`
 * when the size is unknown (a stream), `implausible` when the claim spreads
 * the bytes too thin to be true, `unknown` when no duration is claimed.
 */
export function durationTrust(info: Pick<VideoInfo, 'duration' | 'bytes'>): 'trusted' | 'unverified' | 'implausible' | 'unknown' {
  if (!Number.isFinite(info.duration) || info.duration <= 0) return 'unknown';
  if (info.bytes === undefined || !(info.bytes > 0)) return 'unverified';
  return (info.bytes * 8) / info.duration >= MIN_BITS_PER_SECOND ? 'trusted' : 'implausible';
}

/**
 * A duration as ffprobe gives it: absent or `N/A` is unknown (NaN, a live
 * stream); a number below 0, not finite, or over MAX_CLAIMED_SECONDS is a
 * header that lies, refused with BAD_IMAGE.
 */
export function claimedDuration(raw: unknown, file: string): number {
  if (raw === undefined || raw === null || raw === '' || raw === 'N/A') return NaN;
  const d = Number(raw);
  if (!(Number.isFinite(d) && d >= 0 && d <= MAX_CLAIMED_SECONDS))
    throw new FerkitError(
      'BAD_IMAGE',
      `${file}: its header claims a duration of ${String(raw).slice(0, 30)} s, which no video has; the file is damaged or made to mislead: re-encode it (ffmpeg -i IN -c:v libx264 OUT.mp4) if you trust it`,
      { file },
    );
  return d;
}

/** What `ferkit video` reads: a local file, a network stream, or a camera. */
export interface VideoSource {
  kind: 'file' | 'url' | 'camera';
  /** The path, URL or device as given. */
  input: string;
  /** What ffmpeg is given after `-i` (a local path as a `file:` URL, so no name is read as an option or protocol). */
  ffmpegInput: string;
  /** ffmpeg input options that confine it to this source (before `-i`). */
  inputArgs: string[];
}

/** Container formats a local video file may be in; playlists (HLS, concat) are not among them. */
const FILE_FORMATS = 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,flv,mpegts,mpeg,ogg,asf,ivf,gif,h264,hevc,mjpeg,yuv4mpegpipe';

/**
 * The demuxer ffmpeg is told to use (`-f`) for a local file of the format
 * ffprobe found: its first name, checked against the allow-list.
 */
export function fileDemuxer(format: string | undefined, file: string): string {
  const name = format?.split(',')[0] ?? '';
  if (!FILE_FORMATS.split(',').includes(name)) {
    throw new FerkitError(
      'BAD_IMAGE',
      `${file}: ${name ? `"${name.slice(0, 40)}" is not a video container ferkit reads` : 'no container format found'}; give an MP4, MOV, MKV, WebM, AVI or MPEG-TS file`,
      {
        file,
      },
    );
  }
  return name;
}
/** The protocols each kind of URL needs, and nothing else: never `file`. */
const URL_PROTOCOLS: Record<string, string> = {
  http: 'http,tcp',
  https: 'https,tls,tcp',
  rtsp: 'rtsp,rtp,srtp,udp,tcp',
  rtsps: 'rtsps,rtsp,rtp,srtp,udp,tcp,tls',
  rtmp: 'rtmp,tcp',
  rtmps: 'rtmps,rtmp,tls,tcp',
};

/**
 * Says what kind of source `input` is and how ffmpeg may open it: a URL
 * (http, https, rtsp, rtmp) with only its own protocols allowed, so that a
 * stream cannot make ffmpeg read a local file; a camera (`/dev/video*`) with
 * video4linux2; otherwise a local file, restricted to the file protocol and
 * to video containers, so that a file cannot be a playlist that opens other
 * files or URLs.
 */
export function videoSource(input: string): VideoSource {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(input)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    const protocols = URL_PROTOCOLS[scheme];
    if (!protocols)
      throw new FerkitError(
        'BAD_ARGUMENT',
        `${input}: ${scheme}:// is not a stream ferkit reads; give a file, a camera device or an http, https, rtsp or rtmp URL`,
      );
    return { kind: 'url', input, ffmpegInput: input, inputArgs: ['-protocol_whitelist', protocols] };
  }
  if (/^\/dev\/video\d+$/.test(input)) {
    if (!existsSync(input)) throw new FerkitError('DATA_NOT_FOUND', `no camera at ${input}; list the cameras with \`ls /dev/video*\``, { file: input });
    return { kind: 'camera', input, ffmpegInput: input, inputArgs: ['-protocol_whitelist', 'file', '-f', 'v4l2'] };
  }
  if (!existsSync(input)) throw new FerkitError('DATA_NOT_FOUND', `no such video file: ${input}`, { file: input });
  return { kind: 'file', input, ffmpegInput: `file:${input}`, inputArgs: ['-protocol_whitelist', 'file', '-format_whitelist', FILE_FORMATS] };
}

/** Reads a video's size, duration and frame rate with ffprobe (a live stream: from its first seconds); `signal` stops it. */
export async function probeVideo(input: string | VideoSource, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<VideoInfo> {
  const src = typeof input === 'string' ? videoSource(input) : input;
  const file = src.input;
  const args = [
    '-v',
    'error',
    ...src.inputArgs,
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,r_frame_rate:format=duration,format_name,size',
    '-of',
    'json',
    '-i',
    src.ffmpegInput,
  ];
  const timeoutMs = options.timeoutMs ?? 60_000;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const { proc, stop } = spawnTethered(ffprobePath(), args, ['ignore', 'pipe', 'pipe']);
    const notFound = (cause?: unknown) =>
      new FerkitError('ENGINE_UNAVAILABLE', `ffprobe (part of ffmpeg) is needed to read videos and was not found; ${FFMPEG_HELP}`, { cause });
    let out = '',
      err = '';
    proc.stdout!.on('data', (d: Buffer) => {
      // a description is a few hundred bytes; more is not one
      if (out.length < 1e6) out += d.toString();
    });
    proc.stderr!.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      stop();
      reject(
        new FerkitError('TIMEOUT', `${file}: no video came within ${timeoutMs / 1000} s; check that the source sends video, or allow longer`, {
          file,
          options: ['probeTimeoutMs'],
        }),
      );
    }, timeoutMs);
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(notFound(e));
    });
    options.signal?.addEventListener('abort', stop, { once: true });
    if (options.signal?.aborted) stop();
    proc.on('close', (c) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', stop);
      if (options.signal?.aborted) reject(new FerkitError('BAD_ARGUMENT', `${file}: stopped before the video could be read`, { file }));
      else if (c === NOT_FOUND_EXIT) reject(notFound());
      else resolve({ code: c, stdout: out, stderr: err });
    });
  });
  if (code !== 0) throw new FerkitError('BAD_IMAGE', `${file}: cannot be read as a video (${stderr.trim().split('\n').pop()})`, { file });
  let j: { streams?: { width: number; height: number; r_frame_rate: string }[]; format?: { duration?: string; format_name?: string; size?: string } };
  try {
    j = JSON.parse(stdout) as typeof j;
  } catch {
    throw new FerkitError('BAD_IMAGE', `${file}: cannot be read as a video (ffprobe gave no description)`, { file });
  }
  const s = j.streams?.[0];
  if (!s || !(s.width > 0 && s.height > 0)) throw new FerkitError('BAD_IMAGE', `${file} has no video stream`, { file });
  const format = j.format?.format_name;
  if (src.kind === 'file') fileDemuxer(format, file);
  const [num, den] = String(s.r_frame_rate).split('/').map(Number);
  const duration = claimedDuration(j.format?.duration, file);
  const bytes = Number(j.format?.size ?? NaN);
  return {
    width: s.width,
    height: s.height,
    duration,
    fps: den ? num / den : num,
    ...(format ? { format } : {}),
    ...(Number.isSafeInteger(bytes) && bytes > 0 ? { bytes } : {}),
  };
}

export interface Frame {
  /** 0-based index of the sampled frame. */
  index: number;
  /** Seconds from the start. */
  time: number;
  image: RgbImage;
}

export interface FrameOptions {
  /** Frames sampled per second. Default 5. */
  fps?: number;
  /** Frames larger than this (longest side) are scaled down. Default 1280. */
  maxSide?: number;
  /** Stops reading when aborted (a live stream ends only this way); the frames read so far stand. */
  signal?: AbortSignal;
  /**
   * Seconds from the start at which to begin, by seeking (nothing is
   * re-encoded): a multiple of 1/fps, so the frames sampled are those a
   * reading from the start samples there, with the same indexes and times.
   * Default 0.
   */
  start?: number;
  /** Seconds to read from `start`: frames sampled in [start, start + duration). Default: to the end. */
  duration?: number;
  /**
   * Called when a file ends before the duration its header announces (a
   * file cut short, a broken download): the frames before the break are
   * still yielded. Without it, the break is an error after the last frame.
   */
  onEarlyEnd?: (end: EarlyEnd) => void;
  /**
   * For a stream (a URL or a camera): the longest wait for the next frame,
   * in ms, once the source has been probed; past it, ffmpeg is stopped and
   * reading fails with TIMEOUT (after the frames already read). A server
   * that answers and then trickles bytes, or a stream that stalls, cannot
   * hold a reader longer than this. Default 20 000; Infinity: no limit.
   * Files are not timed.
   */
  readTimeoutMs?: number;
  /**
   * The most seconds of video read from `start` (the longest reading of a
   * live stream, which has no end of its own): reading stops there and
   * `onLimit` is told. Default: no limit.
   */
  maxSeconds?: number;
  /** Called when reading stopped at `maxSeconds` before the source ended. */
  onLimit?: (limit: ReadLimit) => void;
}

/** The default of `readTimeoutMs`: a stream sending no frame for this long is given up. */
export const DEFAULT_READ_TIMEOUT_MS = 20_000;

/** Where reading stopped at its limit (`maxSeconds`) before the source ended. */
export interface ReadLimit {
  /** Seconds of video read. */
  seconds: number;
  message: string;
}

/** Where a video ended before its announced duration. */
export interface EarlyEnd {
  /** Seconds of video read. */
  seconds: number;
  /** The duration its header announces. */
  expectedSeconds: number;
  /** Seconds from the start of the video at which it ended (`seconds` counts from where reading began). */
  endTime?: number;
  message: string;
}

/**
 * Streams frames sampled from a video with ffmpeg: one RGB frame in memory at
 * a time (ffmpeg waits while ferkit works), so long videos need no more
 * memory than short ones.
 */
export async function* readFrames(input: string | VideoSource, options: FrameOptions = {}, probed?: VideoInfo): AsyncGenerator<Frame> {
  const src = typeof input === 'string' ? videoSource(input) : input;
  const info = probed ?? (await probeVideo(src));
  const file = src.input;
  const fps = options.fps ?? 5;
  if (!(fps > 0)) throw new FerkitError('BAD_ARGUMENT', `frames per second must be positive, got ${fps}`);
  const maxSide = options.maxSide ?? 1280;
  const { width, height } = frameSize(info, maxSide);
  const first = Math.round((options.start ?? 0) * fps);
  if (!(first >= 0)) throw new FerkitError('BAD_ARGUMENT', `start must be 0 or more seconds, got ${options.start}`);
  if (options.duration !== undefined && !(options.duration > 0))
    throw new FerkitError('BAD_ARGUMENT', `duration must be above 0 seconds, got ${options.duration}`);
  const asked = options.duration === undefined ? Infinity : Math.round(((options.start ?? 0) + options.duration) * fps);
  if (options.maxSeconds !== undefined && !(options.maxSeconds > 0))
    throw new FerkitError('BAD_ARGUMENT', `maxSeconds must be above 0 seconds, got ${options.maxSeconds}`, { options: ['maxSeconds'] });
  const limitEnd = options.maxSeconds === undefined ? Infinity : first + Math.max(1, Math.round(options.maxSeconds * fps));
  const end = Math.min(asked, limitEnd);
  const timeoutMs = src.kind === 'file' ? Infinity : (options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS);
  if (!(timeoutMs > 0)) throw new FerkitError('BAD_ARGUMENT', `readTimeoutMs must be above 0, got ${timeoutMs}`, { options: ['readTimeoutMs'] });
  const args = [
    '-v',
    'error',
    '-noautorotate',
    ...src.inputArgs,
    // seeking before -i decodes from the keyframe before `start` and drops the frames up to it: the same pixels as a reading from 0
    ...(first > 0 ? ['-ss', String(first / fps)] : []),
    // a local file is opened with the demuxer of the container ffprobe found (and the allow-list let through), not by guessing again
    ...(src.kind === 'file' ? ['-f', fileDemuxer(info.format, file)] : []),
    '-i',
    src.ffmpegInput,
    // a little more than asked, so the last frame sampled is there; frames past the end are not given out
    ...(end < Infinity ? ['-t', String((end - first + 1) / fps)] : []),
    '-an',
    '-vf',
    `fps=${fps},scale=${width}:${height}`,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  // tethered: ffmpeg dies with this process, even while it waits on a stream that sends nothing
  const { proc, stop } = spawnTethered(ffmpegPath(), args, ['ignore', 'pipe', 'pipe']);
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const notFound = (cause?: unknown) => new FerkitError('ENGINE_UNAVAILABLE', `ffmpeg is needed to read videos and was not found; ${FFMPEG_HELP}`, { cause });
  const exited = new Promise<number>((resolve, reject) => {
    proc.on('error', (err) => reject(notFound(err)));
    proc.on('close', (code) => resolve(code ?? 1));
  });
  // not awaited while frames are read: a failure to start is seen once stdout ends
  exited.catch(() => {});
  options.signal?.addEventListener('abort', stop, { once: true });
  // the deadline of the next frame, armed only while this waits on ffmpeg (not while the caller works on a frame)
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const arm = () => {
    if (timeoutMs < Infinity)
      timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, timeoutMs);
  };
  const frameBytes = width * height * 3;
  let buf: Buffer = Buffer.alloc(0);
  let index = first;
  const limited = () => {
    if (index >= limitEnd && limitEnd < asked) {
      const seconds = (index - first) / fps;
      options.onLimit?.({ seconds, message: `${file}: stopped after ${seconds.toFixed(1)} s, the most a reading may take (maxSeconds)` });
    }
  };
  try {
    arm();
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= frameBytes) {
        if (options.signal?.aborted) return;
        if (index >= end) return limited();
        const data = new Uint8Array(buf.subarray(0, frameBytes));
        buf = buf.subarray(frameBytes);
        clearTimeout(timer);
        yield { index, time: index / fps, image: { data, width, height } };
        arm();
        index++;
      }
    }
    const code = await exited;
    if (options.signal?.aborted) return;
    if (timedOut)
      throw new FerkitError(
        'TIMEOUT',
        `${file}: no frame came for ${timeoutMs / 1000} s after ${index - first} frames; the stream stalled or sends too slowly: check the source, or allow a longer wait`,
        { file, options: ['readTimeoutMs'] },
      );
    if (code === NOT_FOUND_EXIT && index === first) throw notFound();
    if (code !== 0)
      throw new FerkitError('BAD_IMAGE', `${file}: ffmpeg failed after ${index - first} frames (${stderr.trim().split('\n')[0] || `exit ${code}`})`, { file });
    if (index >= limitEnd) return limited();
    // a file (or a file at a URL) whose frames stop well before its announced duration was cut short, or its header lies;
    // the length a server's stream is announced with may be estimated from its bitrate, so a URL is given more room
    const expected = Math.min(Math.floor(info.duration * fps), end);
    const room = Math.max(2, (src.kind === 'file' ? 0.05 : 0.5) * (expected - first));
    if (src.kind !== 'camera' && Number.isFinite(info.duration) && index < expected - room) {
      const seconds = (index - first) / fps;
      const message = `${file}: the video ends early, after ${(index / fps).toFixed(1)} s of the ${info.duration.toFixed(1)} s its header announces; the file may be cut short or damaged, or its header wrong${stderr.trim() ? ` (${stderr.trim().split('\n').pop()!.slice(0, 120)})` : ''}`;
      if (options.onEarlyEnd) options.onEarlyEnd({ seconds, expectedSeconds: info.duration, message, endTime: index / fps });
      else throw new FerkitError('BAD_IMAGE', message, { file });
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
    if (proc.exitCode === null) stop();
  }
}

/** The size frames are read at: the video's, scaled to at most `maxSide`, even numbers. */
export function frameSize(info: VideoInfo, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(info.width, info.height));
  return { width: Math.max(2, Math.round((info.width * scale) / 2) * 2), height: Math.max(2, Math.round((info.height * scale) / 2) * 2) };
}
