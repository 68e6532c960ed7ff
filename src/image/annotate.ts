import sharp from 'sharp';
import type { ImageInput } from './load.js';
import { isRawImage } from './load.js';
import { EMOTIONS } from '../labels.js';
import { escapeXml } from '../markup.js';
import type { FaceEmotion } from '../recognizer.js';

/** One colour per emotion, in FER2013 order. */
export const EMOTION_COLOURS: Record<string, string> = {
  angry: '#e6194b', disgust: '#3cb44b', fear: '#911eb4', happy: '#ffb000', sad: '#4363d8', surprise: '#f58231', neutral: '#a9a9a9',
};


interface Rect { x: number; y: number; w: number; h: number }
const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, Math.max(lo, hi)));
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * An SVG overlay: a box per face, a label with its number, top emotion and
 * probability, and a panel of seven labelled probability bars. Labels and
 * panels stay inside the picture: below the face where there is room, else
 * above, beside, or inside it. `ids` numbers the faces (default 1, 2, ...).
 */
export function overlaySvg(width: number, height: number, faces: readonly FaceEmotion[], ids?: readonly number[]): string {
  const parts: string[] = [];
  const font = Math.max(10, Math.round(Math.min(width, height) / 50));
  const charW = font * 0.62;
  const placed: Rect[] = [];
  faces.forEach((f, i) => {
    const { x, y, width: w, height: h } = f.box;
    const colour = EMOTION_COLOURS[f.emotion] ?? '#ffffff';
    const stroke = Math.max(2, Math.round(Math.min(w, h) / 40));
    parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>`);
    // the label: above the box, or inside its top edge when there is no room above
    const label = `#${ids?.[i] ?? i + 1} ${f.uncertain ? 'uncertain: ' : ''}${f.emotion} ${(f.confidence * 100).toFixed(0)}%`;
    const lw = label.length * charW + 8, lh = font * 1.35;
    const lx = clamp(x, 0, width - lw), ly = y - lh >= 0 ? y - lh : clamp(y, 0, height - lh);
    parts.push(`<rect x="${lx}" y="${ly}" width="${lw}" height="${lh}" fill="${colour}" fill-opacity="0.9"/>`);
    parts.push(`<text x="${lx + 4}" y="${ly + font * 1.02}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font}" fill="#000">${escapeXml(label)}</text>`);
    // the panel: one row per emotion, its name, a bar and its percentage
    const rowH = Math.round(font * 1.15), barW = font * 5, nameW = 8 * charW, pctW = 4.5 * charW;
    const pw = nameW + barW + pctW + 12, ph = rowH * EMOTIONS.length + 6;
    const spots: Rect[] = [
      { x: x, y: y + h + 2, w: pw, h: ph }, // below
      { x: x, y: ly - ph - 2, w: pw, h: ph }, // above the label
      { x: x + w + 2, y: y, w: pw, h: ph }, // right
      { x: x - pw - 2, y: y, w: pw, h: ph }, // left
    ];
    const inside = (r: Rect) => r.x >= 0 && r.y >= 0 && r.x + r.w <= width && r.y + r.h <= height;
    const free = spots.find((r) => inside(r) && !placed.some((p) => overlaps(p, r))) ?? spots.find(inside) ?? spots[0];
    const panel = { ...free, x: clamp(free.x, 0, width - pw), y: clamp(free.y, 0, height - ph) };
    placed.push(panel);
    parts.push(`<rect x="${panel.x}" y="${panel.y}" width="${pw}" height="${ph}" fill="#000" fill-opacity="0.6" rx="3"/>`);
    EMOTIONS.forEach((e, k) => {
      const p = f.emotions[e];
      const ry = panel.y + 3 + k * rowH;
      const bold = e === f.emotion ? ' font-weight="bold"' : '';
      parts.push(`<text x="${panel.x + 4}" y="${ry + font * 0.9}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font * 0.9}" fill="#fff"${bold}>${e}</text>`);
      parts.push(`<rect x="${panel.x + 4 + nameW}" y="${ry + rowH * 0.2}" width="${barW}" height="${rowH * 0.6}" fill="#fff" fill-opacity="0.15"/>`);
      parts.push(`<rect x="${panel.x + 4 + nameW}" y="${ry + rowH * 0.2}" width="${Math.max(1, p * barW)}" height="${rowH * 0.6}" fill="${EMOTION_COLOURS[e]}"/>`);
      parts.push(`<text x="${panel.x + pw - 4}" y="${ry + font * 0.9}" text-anchor="end" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font * 0.9}" fill="#fff"${bold}>${(p * 100).toFixed(0)}%</text>`);
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** Writes the picture with the faces drawn on it (format from the file extension). */
export async function annotate(input: ImageInput, faces: readonly FaceEmotion[], outFile: string): Promise<void> {
  const base = isRawImage(input)
    ? sharp(Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength), { raw: { width: input.width, height: input.height, channels: input.channels ?? (input.data.length / (input.width * input.height) as 1 | 3 | 4) } })
    : sharp(input).rotate();
  const { data, info } = await base.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .composite([{ input: Buffer.from(overlaySvg(info.width, info.height, faces)), top: 0, left: 0 }])
    .toFile(outFile);
}
