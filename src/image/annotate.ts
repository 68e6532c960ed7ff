import sharp from 'sharp';
import type { ImageInput } from './load.js';
import { isRawImage } from './load.js';
import { EMOTIONS } from '../labels.js';
import type { FaceEmotion } from '../recognizer.js';

/** One colour per emotion, in FER2013 order. */
export const EMOTION_COLOURS: Record<string, string> = {
  angry: '#e6194b', disgust: '#3cb44b', fear: '#911eb4', happy: '#ffb000', sad: '#4363d8', surprise: '#f58231', neutral: '#a9a9a9',
};

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** An SVG overlay: a box per face, its top emotion and a bar per emotion. */
export function overlaySvg(width: number, height: number, faces: readonly FaceEmotion[]): string {
  const parts: string[] = [];
  const font = Math.max(10, Math.round(Math.min(width, height) / 45));
  faces.forEach((f, i) => {
    const { x, y, width: w, height: h } = f.box;
    const colour = EMOTION_COLOURS[f.emotion] ?? '#ffffff';
    const stroke = Math.max(2, Math.round(w / 40));
    parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>`);
    const label = `#${i + 1} ${f.uncertain ? 'uncertain: ' : ''}${f.emotion} ${(f.confidence * 100).toFixed(0)}%`;
    const ly = y > font * 1.6 ? y - font * 0.4 : y + h + font * 1.1;
    parts.push(`<rect x="${x}" y="${ly - font}" width="${label.length * font * 0.6 + 6}" height="${font * 1.25}" fill="${colour}" fill-opacity="0.85"/>`);
    parts.push(`<text x="${x + 3}" y="${ly}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${font}" fill="#000">${esc(label)}</text>`);
    // probability bars under the box
    const barH = Math.max(3, Math.round(font / 2.5));
    let by = y + h + (ly > y + h ? font * 1.5 : 4);
    for (const e of EMOTIONS) {
      const p = f.emotions[e];
      parts.push(`<rect x="${x}" y="${by}" width="${Math.max(1, p * w)}" height="${barH}" fill="${EMOTION_COLOURS[e]}"/>`);
      by += barH + 1;
    }
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
