import sharp from 'sharp';
import type { ImageInput } from '../fs/picture.js';
import { isRawImage } from '../core/image/pixels.js';
import { EMOTIONS, EMOTION_COLOURS } from '../core/labels.js';
import { escapeXml } from '../core/markup.js';
import type { FaceEmotion } from '../core/recognizer.js';
import { layoutAnnotations, panelGeometry, type AnnotateStyle, type AnnotationLayout } from './layout.js';

export { ANNOTATE_STYLES, layoutAnnotations, type AnnotateStyle, type AnnotationLayout, type FaceLayout, type LayoutFace } from './layout.js';

export interface AnnotateOptions {
  /** `full` (default): box, label and a panel of the seven probabilities per face; `labels`: box and label only. */
  style?: AnnotateStyle;
  /** The numbers the faces are shown with (default 1, 2, ...), such as a video's face ids. */
  ids?: readonly number[];
}

const FONT = 'DejaVu Sans, Arial, sans-serif';
const text = (x: number, y: number, size: number, body: string, extra = '') =>
  `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${size}"${extra}>${escapeXml(body)}</text>`;
/** A nested viewport: what is drawn in it stays inside its rectangle. */
const viewport = (r: { x: number; y: number; width: number; height: number }, body: string) =>
  `<svg x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" overflow="hidden">${body}</svg>`;

/** The labels of the faces: number, "uncertain" where so, top emotion and its probability. */
function labelOf(f: FaceEmotion, id: number): string {
  return `#${id} ${f.uncertain ? 'uncertain: ' : ''}${f.emotion} ${(f.confidence * 100).toFixed(0)}%`;
}

/** The layout and the SVG overlay of a picture's faces (see `layoutAnnotations` for where things go). */
export function overlay(
  width: number,
  height: number,
  faces: readonly FaceEmotion[],
  options: AnnotateOptions = {},
): { svg: string; layout: AnnotationLayout } {
  const ids = faces.map((_, i) => options.ids?.[i] ?? i + 1);
  const layout = layoutAnnotations(
    width,
    height,
    faces.map((f, i) => ({ box: f.box, label: labelOf(f, ids[i]) })),
    { style: options.style ?? 'full' },
  );
  const panels: string[] = [];
  const marks: string[] = [];
  layout.faces.forEach((l, i) => {
    const f = faces[i];
    const colour = EMOTION_COLOURS[f.emotion] ?? '#ffffff';
    if (l.panel) {
      const font = l.panelFont;
      const g = panelGeometry(font);
      const rows = [text(g.pad, g.pad + Math.round(font * 0.95), font, `face #${ids[i]}`, ' fill="#fff" font-weight="bold"')];
      EMOTIONS.forEach((e, k) => {
        const p = f.emotions[e];
        const ry = g.pad + (k + 1) * g.rowHeight;
        const bold = e === f.emotion ? ' font-weight="bold"' : '';
        const barY = ry + Math.round(g.rowHeight * 0.2),
          barH = Math.max(1, Math.round(g.rowHeight * 0.6));
        rows.push(
          text(g.pad, ry + Math.round(font * 0.95), font, e, ` fill="#fff"${bold}`),
          `<rect x="${g.barX}" y="${barY}" width="${g.barWidth}" height="${barH}" fill="#fff" fill-opacity="0.15"/>`,
          `<rect x="${g.barX}" y="${barY}" width="${Math.max(1, p * g.barWidth).toFixed(1)}" height="${barH}" fill="${EMOTION_COLOURS[e]}"/>`,
          text(l.panel!.width - g.pad, ry + Math.round(font * 0.95), font, `${(p * 100).toFixed(0)}%`, ` text-anchor="end" fill="#fff"${bold}`),
        );
      });
      panels.push(
        viewport(
          l.panel,
          `<rect width="${l.panel.width}" height="${l.panel.height}" fill="#000" fill-opacity="0.6" rx="${Math.round(font / 4)}"/>${rows.join('')}`,
        ),
      );
    }
    const o = l.outline;
    marks.push(
      `<rect x="${o.x}" y="${o.y}" width="${o.width}" height="${o.height}" fill="none" stroke="${colour}" stroke-width="${l.stroke}" shape-rendering="crispEdges"/>`,
    );
  });
  // the labels last, over the outlines they are attached to
  layout.faces.forEach((l, i) => {
    const colour = EMOTION_COLOURS[faces[i].emotion] ?? '#ffffff';
    const pad = Math.max(2, Math.round(l.tagFont * 0.35));
    marks.push(
      viewport(
        l.tag,
        `<rect width="${l.tag.width}" height="${l.tag.height}" fill="${colour}" fill-opacity="0.9"/>` +
          text(pad, Math.round(l.tag.height / 2 + l.tagFont * 0.36), l.tagFont, labelOf(faces[i], ids[i]), ' fill="#000"'),
      ),
    );
  });
  return { svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${[...panels, ...marks].join('')}</svg>`, layout };
}

/**
 * An SVG overlay of a picture's faces: per face an outline just outside its
 * box, a label (number, top emotion and its probability) and, in the `full`
 * style, a panel of the seven labelled probabilities beside the face, placed
 * where it covers no face (see `layoutAnnotations`).
 */
export function overlaySvg(width: number, height: number, faces: readonly FaceEmotion[], options: AnnotateOptions = {}): string {
  return overlay(width, height, faces, options).svg;
}

/**
 * Writes the picture with the faces drawn on it (format from the file
 * extension); returns where everything was drawn.
 */
export async function annotate(input: ImageInput, faces: readonly FaceEmotion[], outFile: string, options: AnnotateOptions = {}): Promise<AnnotationLayout> {
  const base = isRawImage(input)
    ? sharp(Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength), {
        raw: { width: input.width, height: input.height, channels: input.channels ?? ((input.data.length / (input.width * input.height)) as 1 | 3 | 4) },
      })
    : sharp(input).rotate();
  const { data, info } = await base.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const { svg, layout } = overlay(info.width, info.height, faces, options);
  await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .toFile(outFile);
  return layout;
}
