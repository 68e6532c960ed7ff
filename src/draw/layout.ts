import type { Box } from '../core/image/geometry.js';
import { EMOTIONS } from '../core/labels.js';

/**
 * How faces are drawn: `full` (the default) draws a box, a label and a
 * panel of the seven probabilities per face; `labels` the box and the label
 * only.
 */
export type AnnotateStyle = 'full' | 'labels';
export const ANNOTATE_STYLES: readonly AnnotateStyle[] = ['full', 'labels'];

/** A face to lay out: its box in picture pixels and the text of its label. */
export interface LayoutFace {
  box: Box;
  label: string;
}

export interface LayoutOptions {
  /** Default `full`. */
  style?: AnnotateStyle;
}

/** Where each part of a face's annotation goes, in whole picture pixels. */
export interface FaceLayout {
  /**
   * The face box, clipped to the picture and widened to whole pixels.
   * Nothing is drawn inside it, except its own outline where the box
   * touches the picture's edge, and its label when the box leaves no room
   * for the label anywhere else.
   */
  box: Box;
  /** The rectangle the outline's centre line follows: just outside the box, so the outline covers none of it. */
  outline: Box;
  /** The outline's width. */
  stroke: number;
  /** The label: face number, top emotion and its probability. */
  tag: Box;
  tagFont: number;
  /** True when the box left no room outside it for the label, which then sits inside the box's top edge. */
  tagInside: boolean;
  /** The panel of the seven probabilities, outside every face box; null in the `labels` style or where no place outside the faces holds one. */
  panel: Box | null;
  panelFont: number;
}

export interface AnnotationLayout {
  width: number;
  height: number;
  faces: FaceLayout[];
}

/** Advance widths of DejaVu Sans (the widest of the fonts asked for), in em; other characters count as 0.7. */
const ADVANCE: Record<string, number> = {
  ' ': 0.318,
  '#': 0.838,
  '%': 0.95,
  ':': 0.337,
  '.': 0.318,
  '-': 0.361,
  a: 0.613,
  b: 0.635,
  c: 0.55,
  d: 0.635,
  e: 0.615,
  f: 0.352,
  g: 0.635,
  h: 0.634,
  i: 0.278,
  j: 0.278,
  k: 0.579,
  l: 0.278,
  m: 0.974,
  n: 0.634,
  o: 0.612,
  p: 0.635,
  q: 0.635,
  r: 0.411,
  s: 0.521,
  t: 0.392,
  u: 0.634,
  v: 0.592,
  w: 0.818,
  x: 0.592,
  y: 0.592,
  z: 0.525,
};

/** The width of `text` at `size` pixels, a little more than DejaVu Sans needs (bold: wider still). */
export function textWidth(text: string, size: number, bold = false): number {
  let em = 0;
  for (const ch of text) em += /[0-9]/.test(ch) ? 0.636 : (ADVANCE[ch] ?? 0.7);
  return em * size * (bold ? 1.12 : 1) * 1.04;
}

/** The inside of a panel at a font size: a header row naming the face, then a row per emotion (name, bar, percentage). */
export interface PanelGeometry {
  width: number;
  height: number;
  pad: number;
  rowHeight: number;
  nameWidth: number;
  barX: number;
  barWidth: number;
  gap: number;
}

export function panelGeometry(font: number, header = 'face #99'): PanelGeometry {
  const pad = Math.max(2, Math.round(font * 0.35));
  const gap = Math.max(2, Math.round(font * 0.4));
  const rowHeight = Math.round(font * 1.25);
  const nameWidth = Math.ceil(Math.max(...EMOTIONS.map((e) => textWidth(e, font, true))));
  const pctWidth = Math.ceil(textWidth('100%', font, true));
  const barWidth = Math.round(font * 3);
  const width = Math.max(pad + nameWidth + gap + barWidth + gap + pctWidth + pad, Math.ceil(textWidth(header, font, true)) + 2 * pad);
  return { width, height: pad * 2 + rowHeight * (EMOTIONS.length + 1), pad, rowHeight, nameWidth, barX: pad + nameWidth + gap, barWidth, gap };
}

/** The smallest font used (pixels): below it a panel gives way to a label only. */
export const MIN_FONT = 7;

/** The font an annotation starts from in a picture: a 40th of its shorter side, at least 9 pixels. */
export function baseFont(width: number, height: number): number {
  return Math.max(MIN_FONT + 2, Math.round(Math.min(width, height) / 40));
}

/** Font sizes to try, largest first: the base font, shrunk by steps of 15% down to MIN_FONT. */
function fonts(base: number): number[] {
  const out = [base];
  while (out[out.length - 1] > MIN_FONT) out.push(Math.max(MIN_FONT, Math.min(out[out.length - 1] - 1, Math.round(out[out.length - 1] * 0.85))));
  return out;
}

const intersects = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const overlap = (a: Box, b: Box) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
const grow = (b: Box, by: number): Box => ({ x: b.x - by, y: b.y - by, width: b.width + 2 * by, height: b.height + 2 * by });
const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, hi));

/** The face box in whole pixels inside the picture (at least one pixel). */
function pixelBox(b: Box, width: number, height: number): Box {
  const x0 = clamp(Math.floor(b.x), 0, width - 1),
    y0 = clamp(Math.floor(b.y), 0, height - 1);
  const x1 = clamp(Math.ceil(b.x + b.width), x0 + 1, width),
    y1 = clamp(Math.ceil(b.y + b.height), y0 + 1, height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Positions along one side of a face for a panel of `size`: the aligned
 * ones first, then those slid past obstacles, nearest first; in the picture
 * (`limit`) and alongside the face (overlapping its span `start`..`start + span`).
 */
function slide(aligned: readonly number[], slid: readonly number[], start: number, span: number, size: number, limit: number): number[] {
  const near = [...slid].sort((a, b) => Math.abs(a - start) - Math.abs(b - start));
  const out: number[] = [];
  for (const v of [...aligned, ...near]) {
    const p = clamp(Math.round(v), 0, limit - size);
    if (p + size > start && p < start + span && !out.includes(p)) out.push(p);
  }
  return out;
}

/**
 * Lays out the annotation of a picture's faces: pure, boxes in, rectangles
 * out. Each face gets an outline just outside its box; a label (number,
 * emotion, probability) attached to the outline above the box, else below
 * or beside it, outside every face box; and, in the `full` style, a panel
 * of the seven probabilities beside the face: to its right, else its left,
 * below or above it, the first place that stays in the picture and covers
 * no face box, no label and no other panel. Sizes scale with the picture
 * (a 40th of its shorter side); where no place holds a panel, smaller ones
 * are tried down to MIN_FONT, and then the face keeps its label only.
 */
export function layoutAnnotations(width: number, height: number, faces: readonly LayoutFace[], options: LayoutOptions = {}): AnnotationLayout {
  const style = options.style ?? 'full';
  const base = baseFont(width, height);
  const sizes = fonts(base);
  const boxes = faces.map((f) => pixelBox(f.box, width, height));
  const strokes = boxes.map((b) => Math.max(2, Math.round(Math.min(b.width, b.height) / 40)));
  const outers = boxes.map((b, i) => grow(b, strokes[i]));
  const inPicture = (r: Box) => r.x >= 0 && r.y >= 0 && r.x + r.width <= width && r.y + r.height <= height;

  // labels first: each outside every face box, and as little as may be over other labels and outlines
  const tags: { tag: Box; font: number; inside: boolean }[] = [];
  boxes.forEach((b, i) => {
    const sw = strokes[i];
    let chosen: { tag: Box; font: number; inside: boolean } | undefined;
    for (const font of sizes) {
      const th = Math.round(font * 1.4),
        tw = Math.ceil(textWidth(faces[i].label, font) + 2 * Math.max(2, Math.round(font * 0.35)));
      const hx = (x: number) => clamp(x, 0, width - tw),
        vy = (y: number) => clamp(y, 0, height - th);
      const candidates: Box[] = [
        { x: hx(b.x - sw), y: b.y - th }, // above, from the left
        { x: hx(b.x + b.width + sw - tw), y: b.y - th }, // above, from the right
        { x: hx(b.x - sw), y: b.y + b.height }, // below
        { x: hx(b.x + b.width + sw - tw), y: b.y + b.height },
        { x: b.x + b.width, y: vy(b.y - sw) }, // beside, right
        { x: b.x - tw, y: vy(b.y - sw) }, // beside, left
      ].map((p) => ({ ...p, width: tw, height: th }));
      let best: { tag: Box; cost: number } | undefined;
      for (const tag of candidates) {
        if (!inPicture(tag) || boxes.some((o) => intersects(tag, o))) continue;
        const cost = tags.reduce((s, t) => s + overlap(tag, t.tag), 0) + outers.reduce((s, o, k) => s + (k === i ? 0 : overlap(tag, o)), 0);
        if (!best || cost < best.cost) best = { tag, cost };
        if (cost === 0) break;
      }
      if (best && (best.cost === 0 || font === sizes[sizes.length - 1])) chosen = { tag: best.tag, font, inside: false };
      if (chosen) break;
    }
    if (!chosen) {
      // the box leaves no room around it (a face that fills the picture): inside its top edge
      const font = sizes[0];
      const th = Math.round(font * 1.4),
        tw = Math.ceil(textWidth(faces[i].label, font) + 2 * Math.max(2, Math.round(font * 0.35)));
      chosen = { tag: { x: clamp(b.x, 0, width - tw), y: clamp(b.y, 0, height - th), width: tw, height: th }, font, inside: true };
    }
    tags.push(chosen);
  });

  // then the panels: outside every face box (with its outline), label and panel placed before
  const panels: Box[] = [];
  const layout: FaceLayout[] = boxes.map((b, i) => {
    const sw = strokes[i];
    const o = outers[i];
    const own = tags[i].tag;
    let panel: Box | null = null,
      panelFont = 0;
    if (style === 'full') {
      for (const font of sizes) {
        const { width: pw, height: ph } = panelGeometry(font);
        if (pw > width || ph > height) continue;
        const g = 2;
        const obstacles = [...outers, ...tags.map((t) => t.tag), ...panels];
        // along each side: aligned with the face's top, bottom or middle (left, right or centre), else
        // slid just past something in the way, as long as the panel still lies alongside the face
        const ys = slide(
          [o.y, o.y + o.height - ph, o.y + (o.height - ph) / 2],
          obstacles.flatMap((r) => [r.y + r.height + g, r.y - g - ph]),
          o.y,
          o.height,
          ph,
          height,
        );
        const xs = slide(
          [o.x, o.x + o.width - pw, o.x + (o.width - pw) / 2],
          obstacles.flatMap((r) => [r.x + r.width + g, r.x - g - pw]),
          o.x,
          o.width,
          pw,
          width,
        );
        // below or above: past the face's own label when it sits on that side
        const below = Math.max(o.y + o.height, own.y >= b.y + b.height ? own.y + own.height : 0) + g;
        const above = Math.min(o.y, own.y + own.height <= b.y ? own.y : Infinity) - g - ph;
        const candidates: Box[] = [
          ...ys.map((y) => ({ x: o.x + o.width + g, y })), // right
          ...ys.map((y) => ({ x: o.x - g - pw, y })), // left
          ...xs.map((x) => ({ x, y: below })), // below
          ...xs.map((x) => ({ x, y: above })), // above
        ].map((p) => ({ ...p, width: pw, height: ph }));
        panel = candidates.find((r) => inPicture(r) && !obstacles.some((x) => intersects(r, x))) ?? null;
        if (panel) {
          panelFont = font;
          panels.push(panel);
          break;
        }
      }
    }
    return {
      box: b,
      outline: {
        x: clamp(b.x - sw / 2, sw / 2, width - sw / 2),
        y: clamp(b.y - sw / 2, sw / 2, height - sw / 2),
        width: Math.min(b.x + b.width + sw / 2, width - sw / 2) - clamp(b.x - sw / 2, sw / 2, width - sw / 2),
        height: Math.min(b.y + b.height + sw / 2, height - sw / 2) - clamp(b.y - sw / 2, sw / 2, height - sw / 2),
      },
      stroke: sw,
      tag: tags[i].tag,
      tagFont: tags[i].font,
      tagInside: tags[i].inside,
      panel,
      panelFont,
    };
  });
  return { width, height, faces: layout };
}
