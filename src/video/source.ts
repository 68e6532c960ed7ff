import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FerkitError } from '../errors.js';
import type { RgbImage } from '../image/load.js';

export const FFMPEG_HELP = 'install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) or set FERKIT_FFMPEG to its path';

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
}

/** Reads a video's size, duration and frame rate with ffprobe. */
export function probeVideo(file: string): VideoInfo {
  if (!existsSync(file)) throw new FerkitError('DATA_NOT_FOUND', `no such video file: ${file}`, { file });
  const r = spawnSync(ffprobePath(), ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,r_frame_rate:format=duration', '-of', 'json', file], { encoding: 'utf8' });
  if (r.error) throw new FerkitError('ENGINE_UNAVAILABLE', `ffprobe (part of ffmpeg) is needed to read videos and was not found; ${FFMPEG_HELP}`, { cause: r.error });
  if (r.status !== 0) throw new FerkitError('BAD_IMAGE', `${file}: ffprobe cannot read it as a video (${r.stderr.trim().split('\n').pop()})`, { file });
  const j = JSON.parse(r.stdout) as { streams?: { width: number; height: number; r_frame_rate: string }[]; format?: { duration?: string } };
  const s = j.streams?.[0];
  if (!s) throw new FerkitError('BAD_IMAGE', `${file} has no video stream`, { file });
  const [num, den] = s.r_frame_rate.split('/').map(Number);
  return { width: s.width, height: s.height, duration: Number(j.format?.duration ?? NaN), fps: den ? num / den : num };
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
}

/**
 * Streams frames sampled from a video with ffmpeg: one RGB frame in memory at
 * a time (ffmpeg waits while ferkit works), so long videos need no more
 * memory than short ones.
 */
export async function* readFrames(file: string, options: FrameOptions = {}): AsyncGenerator<Frame> {
  const info = probeVideo(file);
  const fps = options.fps ?? 5;
  if (!(fps > 0)) throw new FerkitError('BAD_ARGUMENT', `--fps must be positive, got ${fps}`);
  const maxSide = options.maxSide ?? 1280;
  const scale = Math.min(1, maxSide / Math.max(info.width, info.height));
  const width = Math.max(2, Math.round((info.width * scale) / 2) * 2);
  const height = Math.max(2, Math.round((info.height * scale) / 2) * 2);
  const args = ['-v', 'error', '-noautorotate', '-i', file, '-an', '-vf', `fps=${fps},scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
  const proc = spawn(ffmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  const exited = new Promise<number>((resolve, reject) => {
    proc.on('error', (err) => reject(new FerkitError('ENGINE_UNAVAILABLE', `ffmpeg is needed to read videos and was not found; ${FFMPEG_HELP}`, { cause: err })));
    proc.on('close', (code) => resolve(code ?? 1));
  });
  const frameBytes = width * height * 3;
  let buf: Buffer = Buffer.alloc(0);
  let index = 0;
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= frameBytes) {
        const data = new Uint8Array(buf.subarray(0, frameBytes));
        buf = buf.subarray(frameBytes);
        yield { index, time: index / fps, image: { data, width, height } };
        index++;
      }
    }
    const code = await exited;
    if (code !== 0) throw new FerkitError('BAD_IMAGE', `${file}: ffmpeg failed (${stderr.trim().split('\n').pop() ?? `exit ${code}`})`, { file });
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
}
