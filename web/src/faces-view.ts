/** Faces on the page: boxes and labels over the picture, and a card with seven bars for each face. */
import { EMOTION_COLOURS, EMOTIONS, type FaceRecord } from '../../src/browser/index.js';

const pct = (p: number) => `${Math.round(p * 100)}%`;

/** A face's title, as in its card and on its box. */
export function faceTitle(f: FaceRecord): string {
  return `Person ${f.faceId}: ${f.emotion} ${pct(f.confidence)}${f.uncertain ? ' (uncertain)' : ''}`;
}

/** Draws the faces' boxes and labels on `canvas`, sized to a `width` x `height` picture. */
export function drawBoxes(canvas: HTMLCanvasElement, width: number, height: number, faces: readonly FaceRecord[]): void {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, width, height);
  const line = Math.max(2, Math.round(Math.max(width, height) / 300));
  const fontSize = Math.max(12, Math.round(Math.max(width, height) / 40));
  ctx.font = `600 ${fontSize}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (const f of faces) {
    const { x, y, width: w, height: h } = f.box;
    const colour = EMOTION_COLOURS[f.emotion];
    ctx.lineWidth = line;
    ctx.strokeStyle = colour;
    ctx.setLineDash(f.uncertain ? [line * 3, line * 2] : []);
    ctx.strokeRect(x, y, w, h);
    const label = `${f.faceId}. ${f.emotion} ${pct(f.confidence)}`;
    const tw = ctx.measureText(label).width + 8;
    const th = fontSize + 6;
    const ly = y - th >= 0 ? y - th : y + h;
    ctx.fillStyle = colour;
    ctx.fillRect(x - line / 2, ly, tw, th);
    ctx.fillStyle = '#111';
    ctx.fillText(label, x + 4 - line / 2, ly + 3);
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, children: Node[] = []): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** One face's card: its title and the seven emotions as labelled bars. */
function faceCard(f: FaceRecord): HTMLLIElement {
  const bars = el('dl', { className: 'bars' });
  for (const e of EMOTIONS) {
    const p = f.emotions[e];
    const fill = el('span');
    fill.style.width = pct(p);
    const bar = el('div', { className: 'bar' }, [fill]);
    bar.setAttribute('role', 'meter');
    bar.setAttribute('aria-label', e);
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    bar.setAttribute('aria-valuenow', String(Math.round(p * 100)));
    bar.style.setProperty('--colour', EMOTION_COLOURS[e]);
    bars.append(el('dt', { textContent: e }), el('dd', {}, [bar]), el('dd', { className: 'pct', textContent: pct(p) }));
  }
  const card = el('li', { className: 'face-card' }, [el('h3', { textContent: faceTitle(f) }), bars]);
  card.dataset.emotion = f.emotion;
  card.style.setProperty('--colour', EMOTION_COLOURS[f.emotion]);
  return card;
}

/** Replaces the list of face cards. */
export function showCards(list: HTMLOListElement, empty: HTMLElement, faces: readonly FaceRecord[]): void {
  list.replaceChildren(...faces.map(faceCard));
  empty.hidden = faces.length > 0;
}
