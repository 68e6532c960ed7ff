/**
 * What the browser test and the webcam benchmark share: `ferkit serve` on a
 * free loopback port, Debian's Chromium driven by playwright-core (never a
 * downloaded browser), and a fake camera fed from a photo turned into a
 * y4m video by ffmpeg.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT, SHARED_DATA } from './fixtures.js';

export const CHROMIUM = process.env.FERKIT_CHROMIUM ?? '/usr/bin/chromium';
export const ASTRONAUT = join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg');

/** A skip message when the browser tests cannot run here, else false. */
export function browserSkip(): string | false {
  if (!existsSync(CHROMIUM)) return `needs Chromium at ${CHROMIUM} (apt-get install chromium, or set FERKIT_CHROMIUM); absent here`;
  if (spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status !== 0) return 'needs ffmpeg on the PATH for the fake camera; absent here';
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'web', 'index.html'))) return 'needs the built page in dist/web (npm run build)';
  return false;
}

export interface Served {
  url: string;
  /** The server process's id (to read its memory). */
  pid: number;
  /** Whether the server process is still up. */
  running(): boolean;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
}

/** Starts `ferkit serve --port 0` with these extra flags and resolves with its URL once it listens (tests, bench:serve, bench:webcam). */
export async function startServe(extra: string[] = []): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'ferkit.js'), 'serve', '--port', '0', '--log', 'warn', ...extra], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ferkit serve did not start in 120 s:\n${stderr}`)), 120_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ferkit serve exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    running: () => child.exitCode === null && child.signalCode === null,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A y4m video of `seconds` of the still `image`, for Chromium's fake camera. */
export function fakeCameraVideo(image: string, out: string, fps = 10, seconds = 3): string {
  const r = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-y', '-loop', '1', '-i', image, '-t', String(seconds), '-vf', 'scale=640:480,format=yuv420p', '-r', String(fps), out],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not make ${out}: ${r.stderr}`);
  return out;
}

/** Photos of the shared data for the moving-face camera: single faces of every emotion, and two group photos. */
export const MOVING_FACE_PHOTOS = ['happy.jpg', 'bbt2.jpg', 'surprised.jpg', 'sad.jpg', 'bbt4.jpg', 'angry.jpg', 'disgusted.jpg', 'neutral.jpg'].map((f) =>
  join(SHARED_DATA, 'photos', 'faceapi-examples', f),
);

/**
 * A y4m video of moving faces for Chromium's fake camera: each photo in
 * turn for `secondsEach`, fitted into the frame, zoomed in by 15-30% and
 * panned across (left to right, then right to left, then down, then up), so
 * the faces move as a webcam's do. 640x480 at `fps`. A y4m is raw: about
 * 14 MB a second at 30 frames/s.
 */
export function movingFacesVideo(out: string, photos: readonly string[] = MOVING_FACE_PHOTOS, fps = 30, secondsEach = 1.5): string {
  const frames = Math.round(fps * secondsEach);
  const pans = [
    [`(iw-iw/zoom)*on/${frames}`, '(ih-ih/zoom)/2'],
    [`(iw-iw/zoom)*(1-on/${frames})`, '(ih-ih/zoom)/2'],
    ['(iw-iw/zoom)/2', `(ih-ih/zoom)*on/${frames}`],
    ['(iw-iw/zoom)/2', `(ih-ih/zoom)*(1-on/${frames})`],
  ];
  const chains = photos.map((_, i) => {
    const [x, y] = pans[i % pans.length];
    return (
      `[${i}:v]scale=1280:960:force_original_aspect_ratio=decrease,pad=1280:960:(ow-iw)/2:(oh-ih)/2,setsar=1,` +
      `zoompan=z='1.15+0.15*on/${frames}':x='${x}':y='${y}':d=${frames}:s=640x480:fps=${fps}[v${i}]`
    );
  });
  const graph = `${chains.join(';')};${photos.map((_, i) => `[v${i}]`).join('')}concat=n=${photos.length}:v=1:a=0,format=yuv420p[out]`;
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...photos.flatMap((p) => ['-i', p]), '-filter_complex', graph, '-map', '[out]', '-r', String(fps), out], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ffmpeg could not make ${out}: ${r.stderr}`);
  return out;
}

export interface LaunchOptions {
  /** A y4m file for the fake camera. */
  camera?: string;
  /** WebGL through SwiftShader (software), since there is no GPU. */
  webgl?: boolean;
  /** A camera whose permission prompt is refused. */
  refuseCamera?: boolean;
}

/** Headless Chromium, sandbox off (containers), no network of its own. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
  if (options.camera) args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.camera}`);
  if (options.refuseCamera) args.push('--use-fake-device-for-media-stream', '--deny-permission-prompts');
  if (options.webgl) args.push('--use-angle=swiftshader', '--enable-unsafe-swiftshader');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

/** Everything the page asked for and complained about. */
export interface PageLog {
  requests: string[];
  errors: string[];
}

export function watchPage(page: Page): PageLog {
  const log: PageLog = { requests: [], errors: [] };
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(`uncaught: ${e.message}`));
  return log;
}
