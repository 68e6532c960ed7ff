import sharp from 'sharp';
import type { ImageInput } from '../node/decode.js';
import { isRawImage } from '../image/pixels.js';
import { EMOTIONS, EMOTION_COLOURS } from '../labels.js';
import { escapeXml } from '../markup.js';
import type { FaceEmotion } from '../recognizer.js';

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}
const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, Math.max(lo, hi)));
const overlapArea = (a: Rect, b: Rect) =>
  Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));

/**
 * An SVG overlay: a box per face, a label with its number, top emotion and
 * probability, and a panel of seven labelled probability bars. Labels and
 * panels stay inside the picture; a panel goes below its face, above it or
 * beside it, wherever it covers the least of the faces and of the other
 * labels and panels. `ids` numbers the faces (default 1, 2, ...).
 */
export function overlaySvg(width: number, height: number, faces: readonly FaceEmotion[], ids?: readonly number[]): string {
  const font = Math.max(10, Math.round(Math.min(width, height) / 50));
  const charW = font * 0.62;
  const text = (x: number, y: number, size: number, body: string, extra = '') =>
    `<text x="${x}" y="${y}" font-family="DejaVu Sans, Arial, sans-serif" font-size="${size}"${extra}>${escapeXml(body)}</text>`;
  // boxes and labels first: every panel then avoids all of them; they are drawn over the panels
  const marks = faces.map((f, i) => {
    const box: Rect = { x: f.box.x, y: f.box.y, w: f.box.width, h: f.box.height };
    const label = `#${ids?.[i] ?? i + 1} ${f.uncertain ? 'uncertain: ' : ''}${f.emotion} ${(f.confidence * 100).toFixed(0)}%`;
    const lw = label.length * charW + 8,
      lh = font * 1.35;
    // above the box, or inside its top edge when there is no room above
    const tag: Rect = { x: clamp(box.x, 0, width - lw), y: box.y - lh >= 0 ? box.y - lh : clamp(box.y, 0, height - lh), w: lw, h: lh };
    return { f, box, label, tag, colour: EMOTION_COLOURS[f.emotion] ?? '#ffffff' };
  });
  const placed: Rect[] = marks.flatMap((m) => [m.box, m.tag]);
  const panels: string[] = [];
  const rowH = Math.round(font * 1.15),
    barW = font * 5,
    nameW = 8 * charW,
    pctW = 4.5 * charW;
  const pw = nameW + barW + pctW + 12,
    ph = rowH * (EMOTIONS.length + 1) + 6;
  for (const [i, { f, box, tag }] of marks.entries()) {
    // candidate places, moved inside the picture; the one that covers the least of the faces, the
    // labels and the panels already placed wins (in this order of preference when they tie)
    const panel = [
      { x: box.x, y: box.y + box.h + 2 }, // below
      { x: box.x + box.w - pw, y: box.y + box.h + 2 }, // below, right-aligned
      { x: box.x, y: tag.y - ph - 2 }, // above the label
      { x: box.x + box.w + 2, y: box.y }, // right
      { x: box.x - pw - 2, y: box.y }, // left
      { x: box.x, y: box.y + box.h + ph + 4 }, // further below, under a neighbour's panel
      { x: box.x + box.w - pw, y: box.y + box.h + ph + 4 },
    ]
      .map((r) => ({ x: clamp(r.x, 0, width - pw), y: clamp(r.y, 0, height - ph), w: pw, h: ph }))
      .map((r) => ({ r, covered: placed.reduce((sum, o) => sum + overlapArea(r, o), 0) }))
      .reduce((best, c) => (c.covered < best.covered ? c : best)).r;
    placed.push(panel);
    panels.push(`<rect x="${panel.x}" y="${panel.y}" width="${pw}" height="${ph}" fill="#000" fill-opacity="0.6" rx="3"/>`);
    // a header naming the face, then one row per emotion: its name, a bar and its percentage
    panels.push(text(panel.x + 4, panel.y + 3 + font * 0.9, font * 0.9, `face #${ids?.[i] ?? i + 1}`, ' fill="#fff" font-weight="bold"'));
    EMOTIONS.forEach((e, k) => {
      const p = f.emotions[e];
      const ry = panel.y + 3 + (k + 1) * rowH;
      const bold = e === f.emotion ? ' font-weight="bold"' : '';
      panels.push(text(panel.x + 4, ry + font * 0.9, font * 0.9, e, ` fill="#fff"${bold}`));
      panels.push(`<rect x="${panel.x + 4 + nameW}" y="${ry + rowH * 0.2}" width="${barW}" height="${rowH * 0.6}" fill="#fff" fill-opacity="0.15"/>`);
      panels.push(
        `<rect x="${panel.x + 4 + nameW}" y="${ry + rowH * 0.2}" width="${Math.max(1, p * barW)}" height="${rowH * 0.6}" fill="${EMOTION_COLOURS[e]}"/>`,
      );
      panels.push(text(panel.x + pw - 4, ry + font * 0.9, font * 0.9, `${(p * 100).toFixed(0)}%`, ` text-anchor="end" fill="#fff"${bold}`));
    });
  }
  const labels = marks.flatMap(({ box, tag, label, colour }) => [
    `<rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" fill="none" stroke="${colour}" stroke-width="${Math.max(2, Math.round(Math.min(box.w, box.h) / 40))}"/>`,
    `<rect x="${tag.x}" y="${tag.y}" width="${tag.w}" height="${tag.h}" fill="${colour}" fill-opacity="0.9"/>`,
    text(tag.x + 4, tag.y + font * 1.02, font, label, ' fill="#000"'),
  ]);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${[...panels, ...labels].join('')}</svg>`;
}

/** Writes the picture with the faces drawn on it (format from the file extension). */
export async function annotate(input: ImageInput, faces: readonly FaceEmotion[], outFile: string): Promise<void> {
  const base = isRawImage(input)
    ? sharp(Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength), {
        raw: { width: input.width, height: input.height, channels: input.channels ?? ((input.data.length / (input.width * input.height)) as 1 | 3 | 4) },
      })
    : sharp(input).rotate();
  const { data, info } = await base.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .composite([{ input: Buffer.from(overlaySvg(info.width, info.height, faces)), top: 0, left: 0 }])
    .toFile(outFile);
}
