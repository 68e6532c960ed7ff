import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FerkitError } from '../errors.js';
import type { RgbImage } from '../image/pixels.js';

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
    'stream=width,height,r_frame_rate:format=duration,format_name',
    '-of',
    'json',
    '-i',
    src.ffmpegInput,
  ];
  const timeoutMs = options.timeoutMs ?? 60_000;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const proc = spawn(ffprobePath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '',
      err = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new FerkitError('BAD_IMAGE', `${file}: no video came within ${timeoutMs / 1000}s`, { file }));
    }, timeoutMs);
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(new FerkitError('ENGINE_UNAVAILABLE', `ffprobe (part of ffmpeg) is needed to read videos and was not found; ${FFMPEG_HELP}`, { cause: e }));
    });
    const stop = () => proc.kill('SIGKILL');
    options.signal?.addEventListener('abort', stop, { once: true });
    if (options.signal?.aborted) stop();
    proc.on('close', (c) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', stop);
      if (options.signal?.aborted) reject(new FerkitError('BAD_ARGUMENT', `${file}: stopped before the video could be read`, { file }));
      else resolve({ code: c, stdout: out, stderr: err });
    });
  });
  if (code !== 0) throw new FerkitError('BAD_IMAGE', `${file}: cannot be read as a video (${stderr.trim().split('\n').pop()})`, { file });
  let j: { streams?: { width: number; height: number; r_frame_rate: string }[]; format?: { duration?: string; format_name?: string } };
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
  return { width: s.width, height: s.height, duration: Number(j.format?.duration ?? NaN), fps: den ? num / den : num, ...(format ? { format } : {}) };
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
}

/** Where a video ended before its announced duration. */
export interface EarlyEnd {
  /** Seconds of video read. */
  seconds: number;
  /** The duration its header announces. */
  expectedSeconds: number;
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
  const end = options.duration === undefined ? Infinity : Math.round(((options.start ?? 0) + options.duration) * fps);
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
  const proc = spawn(ffmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exited = new Promise<number>((resolve, reject) => {
    proc.on('error', (err) =>
      reject(new FerkitError('ENGINE_UNAVAILABLE', `ffmpeg is needed to read videos and was not found; ${FFMPEG_HELP}`, { cause: err })),
    );
    proc.on('close', (code) => resolve(code ?? 1));
  });
  const stop = () => proc.kill('SIGKILL');
  options.signal?.addEventListener('abort', stop, { once: true });
  const frameBytes = width * height * 3;
  let buf: Buffer = Buffer.alloc(0);
  let index = first;
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= frameBytes) {
        if (options.signal?.aborted || index >= end) return;
        const data = new Uint8Array(buf.subarray(0, frameBytes));
        buf = buf.subarray(frameBytes);
        yield { index, time: index / fps, image: { data, width, height } };
        index++;
      }
    }
    const code = await exited;
    if (options.signal?.aborted) return;
    if (code !== 0)
      throw new FerkitError('BAD_IMAGE', `${file}: ffmpeg failed after ${index - first} frames (${stderr.trim().split('\n')[0] || `exit ${code}`})`, { file });
    // a file whose frames stop well before its announced duration was cut short
    const expected = Math.min(Math.floor(info.duration * fps), end);
    if (src.kind === 'file' && Number.isFinite(info.duration) && index < expected - Math.max(2, 0.05 * expected)) {
      const seconds = (index - first) / fps;
      const message = `${file}: the video ends early, after ${seconds.toFixed(1)} s of the ${info.duration.toFixed(1)} s its header announces; the file may be cut short or damaged${stderr.trim() ? ` (${stderr.trim().split('\n').pop()!.slice(0, 120)})` : ''}`;
      if (options.onEarlyEnd) options.onEarlyEnd({ seconds, expectedSeconds: info.duration, message });
      else throw new FerkitError('BAD_IMAGE', message, { file });
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
}

/** The size frames are read at: the video's, scaled to at most `maxSide`, even numbers. */
export function frameSize(info: VideoInfo, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(info.width, info.height));
  return { width: Math.max(2, Math.round((info.width * scale) / 2) * 2), height: Math.max(2, Math.round((info.height * scale) / 2) * 2) };
}
