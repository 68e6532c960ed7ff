import sharp from 'sharp';
import { writeFileSync } from 'node:fs';
import { EMOTIONS, EMOTION_COLOURS } from '../core/labels.js';
import { escapeXml as esc } from '../core/markup.js';
import type { VideoSummary } from './analyze.js';

const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';

/** Round tick positions from 0 to `max`: steps of 1, 2 or 5 times a power of ten (or of minutes), about `target` of them. Pure. */
export function roundTicks(max: number, target = 8): number[] {
  if (!(max > 0)) return [0];
  const raw = max / target;
  const candidates = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 18000, 36000];
  const step = candidates.find((c) => c >= raw) ?? Math.ceil(raw / 3600) * 3600;
  const ticks: number[] = [];
  for (let i = 0; i * step <= max + 1e-9; i++) ticks.push(Number((i * step).toFixed(3)));
  return ticks;
}

/** A time as a tick label: seconds under a minute (`2.5s`, `40s`), else m:ss or h:mm:ss. Pure. */
export function timeLabel(t: number): string {
  if (t < 60) return `${Number(t.toFixed(1))}s`;
  const s = Math.round(t),
    h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/**
 * An SVG chart of a video's emotions: on top, each emotion's probability
 * over time (mean over the faces in view); below, one band per tracked face
 * coloured by its top emotion over time, so that people are not averaged
 * together. At most `maxFaces` bands (the faces seen longest).
 */
export function emotionPlotSvg(summary: VideoSummary, width = 960, options: { maxFaces?: number } = {}): string {
  const maxFaces = options.maxFaces ?? 20;
  const faces = [...summary.faces]
    .sort((a, b) => b.frames - a.frames)
    .slice(0, maxFaces)
    .sort((a, b) => a.faceId - b.faceId);
  const band = 18;
  const m = { left: 70, right: 130, top: 30 };
  const chartH = 220;
  const bandsTop = m.top + chartH + 36;
  const height = bandsTop + Math.max(1, faces.length) * (band + 4) + 50;
  const w = width - m.left - m.right;
  const frame = 1 / summary.sampledFps;
  const tMax = Math.max(
    Number.isFinite(summary.video.duration) ? summary.video.duration : 0,
    (summary.series.at(-1)?.time ?? 0) + frame,
    ...faces.map((f) => f.lastSeen + frame),
    1e-6,
  );
  const X = (t: number) => m.left + (Math.min(t, tMax) / tMax) * w;
  const Y = (p: number) => m.top + (1 - p) * chartH;
  const parts: string[] = [`<rect width="${width}" height="${height}" fill="#fff"/>`];
  parts.push(
    `<text x="${m.left}" y="18" ${FONT} font-size="13">Emotions over time: ${esc(summary.file.split(/[\\/]/).pop() ?? summary.file)}${summary.stopped ? ' (stopped early)' : ''}</text>`,
  );
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${Y(p)}" y2="${Y(p)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.left - 6}" y="${Y(p) + 4}" text-anchor="end" ${FONT} font-size="11">${p.toFixed(2)}</text>`);
  }
  parts.push(
    `<text x="14" y="${m.top + chartH / 2}" ${FONT} font-size="11" transform="rotate(-90 14 ${m.top + chartH / 2})" text-anchor="middle">mean over faces</text>`,
  );
  const axisY = bandsTop + faces.length * (band + 4) + 4;
  for (const t of roundTicks(tMax)) {
    parts.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${m.top}" y2="${axisY}" stroke="#eee"/>`);
    parts.push(`<text x="${X(t)}" y="${axisY + 16}" text-anchor="middle" ${FONT} font-size="11">${timeLabel(t)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${w}" height="${chartH}" fill="none" stroke="#888"/>`);
  EMOTIONS.forEach((e, k) => {
    if (summary.series.length) {
      const d = summary.series.map((s, i) => `${i ? 'L' : 'M'}${X(s.time).toFixed(1)},${Y(s.emotions[k]).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${EMOTION_COLOURS[e]}" stroke-width="2"/>`);
    }
    const ly = m.top + 10 + k * 20;
    parts.push(`<rect x="${m.left + w + 14}" y="${ly - 10}" width="14" height="10" fill="${EMOTION_COLOURS[e]}"/>`);
    parts.push(`<text x="${m.left + w + 34}" y="${ly - 1}" ${FONT} font-size="12">${e} ${(summary.overall[e] * 100).toFixed(0)}%</text>`);
  });
  parts.push(`<text x="${m.left}" y="${bandsTop - 8}" ${FONT} font-size="12">top emotion of each face (share of its frames: dominant)</text>`);
  faces.forEach((f, i) => {
    const y = bandsTop + i * (band + 4);
    parts.push(`<text x="${m.left - 6}" y="${y + band - 5}" text-anchor="end" ${FONT} font-size="11">face ${f.faceId}</text>`);
    parts.push(`<rect x="${m.left}" y="${y}" width="${w}" height="${band}" fill="#f4f4f4"/>`);
    for (const s of f.segments) {
      const x0 = X(s.start),
        x1 = Math.max(X(s.end + frame), x0 + 1);
      parts.push(
        `<rect x="${x0.toFixed(1)}" y="${y}" width="${(x1 - x0).toFixed(1)}" height="${band}" fill="${EMOTION_COLOURS[s.emotion]}"><title>face ${f.faceId}: ${s.emotion} ${timeLabel(s.start)}-${timeLabel(s.end + frame)}</title></rect>`,
      );
    }
    parts.push(`<text x="${m.left + w + 8}" y="${y + band - 5}" ${FONT} font-size="11">${f.dominant} ${(f.share[f.dominant] * 100).toFixed(0)}%</text>`);
  });
  if (!faces.length) parts.push(`<text x="${m.left + w / 2}" y="${m.top + chartH / 2}" text-anchor="middle" ${FONT} font-size="14">no face found</text>`);
  if (summary.faces.length > faces.length)
    parts.push(
      `<text x="${m.left}" y="${axisY + 34}" ${FONT} font-size="11">${summary.faces.length - faces.length} faces seen more briefly are not shown</text>`,
    );
  parts.push(`<text x="${m.left + w / 2}" y="${axisY + 34}" text-anchor="middle" ${FONT} font-size="11">time</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** Writes the plot as SVG, or as PNG when the file name ends in .png. */
export async function writeEmotionPlot(summary: VideoSummary, file: string): Promise<void> {
  const svg = emotionPlotSvg(summary);
  if (/\.png$/i.test(file)) await sharp(Buffer.from(svg)).png().toFile(file);
  else writeFileSync(file, svg);
}
