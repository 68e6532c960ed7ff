/**
 * How the picture pipeline's cost grows: milliseconds per picture against
 * the number of faces (1..16 faces of the shared photos pasted on a 960x720
 * picture, each 160x160) and against picture size (the one-face astronaut
 * photo from 320x240 to 1920x1440), for each face detector. Writes the
 * figures as JSON and a chart as SVG. Not a test: it prints figures.
 *
 *   npm run bench:growth [-- --runs 7] [--svg docs/images/pipeline-growth.svg] [--json FILE]
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { PROJECT_ROOT, SHARED_DATA } from '../test/fixtures.js';
import { cpuDescription, median } from './timing.js';
import { createRecognizer, type Recognizer, type RgbImage } from '../src/index.js';
import { loadRgb } from '../src/entries/models.js';
import { roundTicks, escapeXml } from '../src/entries/video.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, svg: { type: 'string' }, json: { type: 'string' } } });
const runs = Number(values.runs ?? 7);
const svgFile = values.svg ?? join(PROJECT_ROOT, 'docs', 'images', 'pipeline-growth.svg');
const DETECTORS = ['auto', 'fast', 'accurate'] as const;
const COLOURS: Record<string, string> = { auto: '#1b9e77', fast: '#7570b3', accurate: '#d95f02' };
const FACE_COUNTS = [1, 2, 4, 6, 8, 12, 16];
const SIZES: [number, number][] = [
  [320, 240],
  [640, 480],
  [960, 720],
  [1280, 960],
  [1920, 1440],
];

export interface Series {
  name: string;
  colour: string;
  points: { x: number; y: number; label?: string }[];
}
export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

/** Round ticks from 0 whose last one is at or above `max`. Pure. */
export function ticksCovering(max: number, target: number): number[] {
  const ticks = roundTicks(max, target);
  if (ticks.length < 2) return [0, max];
  const step = ticks[1] - ticks[0];
  while (ticks.at(-1)! < max - 1e-9) ticks.push(Number((ticks.at(-1)! + step).toFixed(3)));
  return ticks;
}

/** Line charts side by side, each with its own axes from 0, one legend for all. Pure. */
export function lineChartsSvg(title: string, panels: readonly Panel[], subtitle = ''): string {
  const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';
  const pw = 420,
    ph = 260,
    m = { left: 64, right: 24, top: 80, bottom: 56 };
  const width = panels.length * (pw + m.left + m.right);
  const height = m.top + ph + m.bottom + 28;
  const parts = [`<rect width="${width}" height="${height}" fill="#fff"/>`, `<text x="12" y="20" ${FONT} font-size="14">${escapeXml(title)}</text>`];
  if (subtitle) parts.push(`<text x="12" y="38" ${FONT} font-size="11" fill="#555">${escapeXml(subtitle)}</text>`);
  panels.forEach((p, i) => {
    const x0 = i * (pw + m.left + m.right) + m.left;
    const all = p.series.flatMap((s) => s.points);
    const xTicks = ticksCovering(Math.max(...all.map((q) => q.x), 1e-9), 6);
    const yTicks = ticksCovering(Math.max(...all.map((q) => q.y), 1e-9), 5);
    const xMax = xTicks.at(-1)!,
      yMax = yTicks.at(-1)!;
    const X = (x: number) => x0 + (x / xMax) * pw;
    const Y = (y: number) => m.top + (1 - y / yMax) * ph;
    parts.push(`<text x="${x0}" y="${m.top - 10}" ${FONT} font-size="12">${escapeXml(p.title)}</text>`);
    for (const t of yTicks) {
      parts.push(`<line x1="${x0}" x2="${x0 + pw}" y1="${Y(t)}" y2="${Y(t)}" stroke="#e5e5e5"/>`);
      parts.push(`<text x="${x0 - 6}" y="${Y(t) + 4}" text-anchor="end" ${FONT} font-size="11">${t}</text>`);
    }
    for (const t of xTicks) {
      parts.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/>`);
      parts.push(`<text x="${X(t)}" y="${m.top + ph + 16}" text-anchor="middle" ${FONT} font-size="11">${t}</text>`);
    }
    parts.push(`<rect x="${x0}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
    parts.push(`<text x="${x0 + pw / 2}" y="${m.top + ph + 36}" text-anchor="middle" ${FONT} font-size="11">${escapeXml(p.xLabel)}</text>`);
    const cy = m.top + ph / 2;
    parts.push(
      `<text x="${x0 - 44}" y="${cy}" text-anchor="middle" transform="rotate(-90 ${x0 - 44} ${cy})" ${FONT} font-size="11">${escapeXml(p.yLabel)}</text>`,
    );
    for (const s of p.series) {
      const d = s.points.map((q, k) => `${k ? 'L' : 'M'}${X(q.x).toFixed(1)},${Y(q.y).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
      for (const q of s.points)
        parts.push(
          `<circle cx="${X(q.x).toFixed(1)}" cy="${Y(q.y).toFixed(1)}" r="3" fill="${s.colour}"><title>${escapeXml(`${s.name}: ${q.label ?? q.x} → ${q.y.toFixed(0)}`)}</title></circle>`,
        );
    }
  });
  const names = [...new Map(panels.flatMap((p) => p.series.map((s) => [s.name, s.colour] as const))).entries()];
  names.forEach(([name, colour], k) => {
    const lx = m.left + k * 130,
      ly = height - 14;
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="14" height="10" fill="${colour}"/>`);
    parts.push(`<text x="${lx + 20}" y="${ly}" ${FONT} font-size="12">${escapeXml(name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** Faces of the shared photos, each cut with a margin and resized to 160x160 PNG. */
async function faceTiles(finder: Recognizer, wanted: number): Promise<Buffer[]> {
  const dir = join(SHARED_DATA, 'photos', 'faceapi-examples');
  const photos = existsSync(dir) ? readdirSync(dir).filter((f) => /^bbt\d\.jpg$/.test(f)) : [];
  const tiles: Buffer[] = [];
  for (const f of photos.sort()) {
    const file = join(dir, f);
    const meta = await sharp(file).metadata();
    for (const face of await finder.recognize(file)) {
      const side = Math.max(face.box.width, face.box.height) * 1.5;
      const left = Math.max(0, Math.round(face.box.x + face.box.width / 2 - side / 2));
      const top = Math.max(0, Math.round(face.box.y + face.box.height / 2 - side / 2));
      const size = Math.min(Math.round(side), meta.width! - left, meta.height! - top);
      tiles.push(await sharp(file).extract({ left, top, width: size, height: size }).resize(160, 160).png().toBuffer());
      if (tiles.length === wanted) return tiles;
    }
  }
  return tiles;
}

/** `count` tiles on a grey 960x720 picture, in a 4x4 grid of 240x180 cells. */
async function tiledPicture(tiles: Buffer[], count: number): Promise<Buffer> {
  return sharp({ create: { width: 960, height: 720, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .composite(tiles.slice(0, count).map((input, i) => ({ input, left: (i % 4) * 240 + 40, top: Math.floor(i / 4) * 180 + 10 })))
    .png()
    .toBuffer();
}

/** Faces found and median ms of each detector on one picture, the detectors taking turns call by call. */
async function timeDetectors(img: RgbImage): Promise<Map<string, { found: number; ms: number }>> {
  const times = new Map<string, number[]>();
  const found = new Map<string, number>();
  for (const [d, r] of recognizers) {
    found.set(d, (await r.recognizeRgb([img]))[0].length); // also the warm-up
    times.set(d, []);
  }
  for (let i = 0; i < runs; i++)
    for (const [d, r] of recognizers) {
      const t0 = performance.now();
      await r.recognizeRgb([img]);
      times.get(d)!.push(performance.now() - t0);
    }
  return new Map([...recognizers.keys()].map((d) => [d, { found: found.get(d)!, ms: median(times.get(d)!) }]));
}

const recognizers = new Map<string, Recognizer>();
for (const d of DETECTORS) recognizers.set(d, await createRecognizer({ detector: d }));
const cpu = cpuDescription();
console.log(`ferkit pipeline cost growth; CPU: ${cpu}; ${recognizers.get('auto')!.engine.backend}; medians of ${runs} calls, the detectors taking turns`);

const byFaces: Record<string, { faces: number; found: number; ms: number }[]> = {};
const tiles = await faceTiles(recognizers.get('accurate')!, Math.max(...FACE_COUNTS));
if (tiles.length < 2) console.log(`  faces: skipped, the shared photos in ${join(SHARED_DATA, 'photos', 'faceapi-examples')} are absent`);
else
  for (const n of FACE_COUNTS.filter((k) => k <= tiles.length)) {
    const img = await loadRgb(await tiledPicture(tiles, n));
    for (const [d, { found, ms }] of await timeDetectors(img)) {
      (byFaces[d] ??= []).push({ faces: n, found, ms });
      console.log(`  ${String(n).padStart(2)} face(s) on 960x720, ${d.padEnd(8)} ${ms.toFixed(1).padStart(7)} ms (${found} found)`);
    }
  }

const bySize: Record<string, { width: number; height: number; found: number; ms: number }[]> = {};
for (const [width, height] of SIZES) {
  const img = await loadRgb(
    await sharp(join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg'))
      .resize(width, height, { fit: 'cover' })
      .png()
      .toBuffer(),
  );
  for (const [d, { found, ms }] of await timeDetectors(img)) {
    (bySize[d] ??= []).push({ width, height, found, ms });
    console.log(`  ${width}x${height}, one face, ${d.padEnd(8)} ${ms.toFixed(1).padStart(7)} ms (${found} found)`);
  }
}
recognizers.forEach((r) => r.dispose());

const panels: Panel[] = [];
if (Object.keys(byFaces).length)
  panels.push({
    title: 'faces on a 960x720 picture (each 160x160)',
    xLabel: 'faces in the picture',
    yLabel: 'ms per picture (median)',
    series: DETECTORS.map((d) => ({ name: d, colour: COLOURS[d], points: byFaces[d].map((p) => ({ x: p.faces, y: p.ms, label: `${p.faces} faces` })) })),
  });
panels.push({
  title: 'picture size, one face (320x240 to 1920x1440)',
  xLabel: 'megapixels',
  yLabel: 'ms per picture (median)',
  series: DETECTORS.map((d) => ({
    name: d,
    colour: COLOURS[d],
    points: bySize[d].map((p) => ({ x: (p.width * p.height) / 1e6, y: p.ms, label: `${p.width}x${p.height}` })),
  })),
});
writeFileSync(
  svgFile,
  lineChartsSvg('How the picture pipeline’s cost grows, per face detector', panels, `npm run bench:growth -- --runs ${runs}; CPU: ${cpu}; native engine`) +
    '\n',
);
console.log(`wrote ${svgFile}`);
if (values.json) writeFileSync(values.json, JSON.stringify({ cpu, runs, byFaces, bySize }, null, 2) + '\n');
