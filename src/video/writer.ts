import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import sharp from 'sharp';
import { FerkitError } from '../core/errors.js';
import { overlaySvg, type AnnotateStyle } from '../draw/annotate.js';
import type { FaceEmotion } from '../core/recognizer.js';
import type { RgbImage } from '../core/image/pixels.js';
import { FFMPEG_HELP, ffmpegPath } from './source.js';

/** H.264 where this ffmpeg has it (plays everywhere), else MPEG-4 part 2. */
function videoCodec(): string[] {
  const r = spawnSync(ffmpegPath(), ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  return /\blibx264\b/.test(r.stdout ?? '') ? ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23'] : ['-c:v', 'mpeg4', '-q:v', '4'];
}

/**
 * Writes frames with their faces drawn on them (boxes, labels, probability
 * panels) as a video file, one frame in memory at a time: ffmpeg encodes
 * what it is given on its standard input at `fps` frames per second.
 */
export class AnnotatedVideoWriter {
  private proc?: ChildProcessByStdio<Writable, null, Readable>;
  private stderr = '';
  private exited?: Promise<number>;
  /** ffmpeg has exited (done, or failed: close() says why). */
  private ended = false;
  private size?: { width: number; height: number };

  /** `options.style`: `full` (default) draws each face's probability panel, `labels` its box and label only. */
  constructor(
    private readonly file: string,
    private readonly fps: number,
    private readonly options: { style?: AnnotateStyle } = {},
  ) {}

  private start(width: number, height: number): ChildProcessByStdio<Writable, null, Readable> {
    const args = [
      '-v',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${width}x${height}`,
      '-r',
      String(this.fps),
      '-i',
      'pipe:0',
      ...videoCodec(),
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      this.file,
    ];
    const proc = spawn(ffmpegPath(), args, { stdio: ['pipe', 'ignore', 'pipe'] });
    proc.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    proc.stdin.on('error', () => undefined); // a failed ffmpeg is reported by close()
    this.exited = new Promise((resolve, reject) => {
      proc.on('error', (err) => {
        this.ended = true;
        reject(new FerkitError('ENGINE_UNAVAILABLE', `ffmpeg is needed to write videos and was not found; ${FFMPEG_HELP}`, { cause: err }));
      });
      proc.on('close', (code) => {
        this.ended = true;
        resolve(code ?? 1);
      });
    });
    this.exited.catch(() => undefined); // reported by close(), not as an unhandled rejection meanwhile
    this.size = { width, height };
    return proc;
  }

  /** Draws the faces on the frame and hands it to the encoder (waits while the encoder is behind). */
  async write(image: RgbImage, faces: readonly FaceEmotion[], ids?: readonly number[]): Promise<void> {
    // ffmpeg stopped before the end (a full disk, a bad path): say why now rather than encode frames for nothing
    if (this.ended) return this.close();
    const proc = (this.proc ??= this.start(image.width, image.height));
    if (image.width !== this.size?.width || image.height !== this.size?.height)
      throw new FerkitError('BAD_ARGUMENT', `frame of ${image.width}x${image.height} in a video of ${this.size?.width}x${this.size?.height}`);
    const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
    const pixels = faces.length
      ? await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), raw)
          .composite([
            {
              input: Buffer.from(overlaySvg(image.width, image.height, faces, { ...(ids ? { ids } : {}), style: this.options.style ?? 'full' })),
              top: 0,
              left: 0,
            },
          ])
          .removeAlpha()
          .raw()
          .toBuffer()
      : Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    if (!proc.stdin.write(pixels) && !this.ended) await this.drained(proc);
  }

  /**
   * Waits until ffmpeg has taken what it was given, or has ended (close()
   * then reports why). The listeners go once one fires: a long video waits
   * here at almost every frame.
   */
  private drained(proc: ChildProcessByStdio<Writable, null, Readable>): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        proc.stdin.off('drain', done);
        proc.stdin.off('close', done);
        proc.off('close', done);
        resolve();
      };
      proc.stdin.on('drain', done);
      proc.stdin.on('close', done);
      proc.on('close', done);
    });
  }

  /** Finishes the file; throws if ffmpeg failed. Without any frame written, writes nothing. */
  async close(): Promise<void> {
    if (!this.proc) return;
    this.proc.stdin.end();
    const code = await this.exited!;
    if (code !== 0)
      throw new FerkitError('BAD_ARGUMENT', `${this.file}: ffmpeg could not write the video (${this.stderr.trim().split('\n').pop() ?? `exit ${code}`})`, {
        file: this.file,
      });
  }
}
