import sharp from 'sharp';
import { writeFileSync } from 'node:fs';
import { EMOTIONS } from '../labels.js';
import { EMOTION_COLOURS } from '../image/annotate.js';
import type { VideoSummary } from './analyze.js';

/** An SVG line chart of the mean smoothed emotion probabilities over time. */
export function emotionPlotSvg(summary: VideoSummary, width = 960, height = 420): string {
  const m = { left: 50, right: 130, top: 30, bottom: 40 };
  const w = width - m.left - m.right, h = height - m.top - m.bottom;
  const tMax = Math.max(summary.video.duration || 0, summary.series.at(-1)?.time ?? 0, 1e-6);
  const X = (t: number) => m.left + (t / tMax) * w;
  const Y = (p: number) => m.top + (1 - p) * h;
  const parts: string[] = [`<rect width="${width}" height="${height}" fill="#fff"/>`];
  parts.push(`<text x="${m.left}" y="18" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">Emotions over time (mean over faces, smoothed): ${summary.file.split(/[\\/]/).pop()}</text>`);
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${Y(p)}" y2="${Y(p)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.left - 6}" y="${Y(p) + 4}" text-anchor="end" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">${p.toFixed(2)}</text>`);
  }
  const ticks = 8;
  for (let i = 0; i <= ticks; i++) {
    const t = (tMax * i) / ticks;
    parts.push(`<text x="${X(t)}" y="${m.top + h + 16}" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">${t.toFixed(t < 10 ? 1 : 0)}s</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`);
  EMOTIONS.forEach((e, k) => {
    if (summary.series.length) {
      const d = summary.series.map((s, i) => `${i ? 'L' : 'M'}${X(s.time).toFixed(1)},${Y(s.emotions[k]).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${EMOTION_COLOURS[e]}" stroke-width="2"/>`);
    }
    const ly = m.top + 10 + k * 20;
    parts.push(`<rect x="${m.left + w + 14}" y="${ly - 8}" width="14" height="4" fill="${EMOTION_COLOURS[e]}"/>`);
    parts.push(`<text x="${m.left + w + 34}" y="${ly - 2}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">${e} ${(summary.overall[e] * 100).toFixed(0)}%</text>`);
  });
  if (!summary.series.length) parts.push(`<text x="${m.left + w / 2}" y="${m.top + h / 2}" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="14">no face found</text>`);
  parts.push(`<text x="${m.left + w / 2}" y="${height - 6}" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">time</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** Writes the plot as SVG, or as PNG when the file name ends in .png. */
export async function writeEmotionPlot(summary: VideoSummary, file: string): Promise<void> {
  const svg = emotionPlotSvg(summary);
  if (/\.png$/i.test(file)) await sharp(Buffer.from(svg)).png().toFile(file);
  else writeFileSync(file, svg);
}
