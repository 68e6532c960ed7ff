import sharp from 'sharp';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { confidentMistakes, type Metrics } from './metrics.js';
import { IMAGE_SIZE } from '../core/image/preprocess.js';
import { type Dataset } from '../data/dataset.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { describeCalibration, intervalText } from './format.js';

const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"';
import { escapeXml as esc } from '../core/markup.js';
import { argmaxAt } from '../core/numeric.js';
import { ECE_BINS } from './calibration.js';

/** Confusion matrix as an SVG heat map: colour = share of the true class (row), text = count. */
export function confusionSvg(m: Metrics, title = 'Confusion matrix (rows: true label, colour: share of the row)'): string {
  const k = m.labels.length,
    cell = 62,
    left = 90,
    top = 70;
  const w = left + k * cell + 20,
    h = top + k * cell + 50;
  const parts = [`<rect width="${w}" height="${h}" fill="#fff"/>`, `<text x="10" y="20" ${FONT} font-size="13">${esc(title)}</text>`];
  m.labels.forEach((l, i) => {
    parts.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" ${FONT} font-size="12">${esc(l)}</text>`);
    parts.push(`<text x="${left + i * cell + cell / 2}" y="${top - 8}" text-anchor="middle" ${FONT} font-size="12">${esc(l)}</text>`);
    const total = m.confusion[i].reduce((a, b) => a + b, 0) || 1;
    m.confusion[i].forEach((count, j) => {
      const share = count / total;
      const shade = Math.round(255 - share * 200);
      parts.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#fff"/>`);
      parts.push(
        `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2}" text-anchor="middle" ${FONT} font-size="12" fill="${share > 0.5 ? '#fff' : '#000'}">${count}</text>`,
      );
      parts.push(
        `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 14}" text-anchor="middle" ${FONT} font-size="10" fill="${share > 0.5 ? '#fff' : '#444'}">${(share * 100).toFixed(0)}%</text>`,
      );
    });
  });
  parts.push(`<text x="${left + (k * cell) / 2}" y="${top - 30}" text-anchor="middle" ${FONT} font-size="12">predicted</text>`);
  parts.push(
    `<text x="10" y="${h - 15}" ${FONT} font-size="12">accuracy ${(m.accuracy * 100).toFixed(2)}%, macro-F1 ${m.macroF1.toFixed(3)}, ${m.samples} images</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${parts.join('')}</svg>`;
}

/** Precision, recall and F1 of each class as grouped bars. */
export function perClassSvg(m: Metrics): string {
  const k = m.labels.length,
    group = 90,
    left = 50,
    top = 40,
    ph = 220;
  const w = left + k * group + 140,
    h = top + ph + 50;
  const series = [
    ['precision', '#4363d8'],
    ['recall', '#e6194b'],
    ['f1', '#3cb44b'],
  ] as const;
  const parts = [`<rect width="${w}" height="${h}" fill="#fff"/>`, `<text x="10" y="20" ${FONT} font-size="13">Per-class precision, recall and F1</text>`];
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + (1 - v) * ph;
    parts.push(
      `<line x1="${left}" x2="${left + k * group}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${left - 6}" y="${y + 4}" text-anchor="end" ${FONT} font-size="11">${v.toFixed(2)}</text>`,
    );
  }
  m.labels.forEach((l, i) => {
    series.forEach(([key, colour], s) => {
      const v = m.perClass[l][key];
      parts.push(`<rect x="${left + i * group + 12 + s * 22}" y="${top + (1 - v) * ph}" width="20" height="${v * ph}" fill="${colour}"/>`);
    });
    parts.push(`<text x="${left + i * group + group / 2}" y="${top + ph + 16}" text-anchor="middle" ${FONT} font-size="12">${esc(l)}</text>`);
  });
  series.forEach(([key, colour], s) =>
    parts.push(
      `<rect x="${left + k * group + 20}" y="${top + s * 20}" width="14" height="10" fill="${colour}"/><text x="${left + k * group + 40}" y="${top + s * 20 + 10}" ${FONT} font-size="12">${key}</text>`,
    ),
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${parts.join('')}</svg>`;
}

/** Reliability diagram: accuracy against confidence of the top class, per confidence bin. */
export function reliabilitySvg(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number, bins = ECE_BINS): string {
  const acc = new Array<number>(bins).fill(0),
    conf = new Array<number>(bins).fill(0),
    n = new Array<number>(bins).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const best = argmaxAt(probs, i * k, k);
    const b = Math.min(bins - 1, Math.floor(probs[i * k + best] * bins));
    n[b]++;
    conf[b] += probs[i * k + best];
    acc[b] += best === labels[i] ? 1 : 0;
  }
  const left = 50,
    top = 40,
    size = 260,
    w = left + size + 60,
    h = top + size + 56;
  const parts = [
    `<rect width="${w}" height="${h}" fill="#fff"/>`,
    `<text x="10" y="20" ${FONT} font-size="13">Reliability: accuracy against confidence</text>`,
  ];
  parts.push(`<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#888"/>`);
  parts.push(`<line x1="${left}" y1="${top + size}" x2="${left + size}" y2="${top}" stroke="#aaa" stroke-dasharray="4 3"/>`);
  for (let b = 0; b < bins; b++) {
    if (!n[b]) continue;
    const a = acc[b] / n[b];
    parts.push(
      `<rect x="${left + (b / bins) * size + 1}" y="${top + (1 - a) * size}" width="${size / bins - 2}" height="${a * size}" fill="#4363d8" fill-opacity="0.75"/>`,
    );
    parts.push(`<circle cx="${left + (conf[b] / n[b]) * size}" cy="${top + (1 - conf[b] / n[b]) * size}" r="2.5" fill="#e6194b"/>`);
  }
  for (const v of [0, 0.5, 1]) {
    parts.push(`<text x="${left + v * size}" y="${top + size + 14}" text-anchor="middle" ${FONT} font-size="10">${v}</text>`);
    parts.push(`<text x="${left - 4}" y="${top + (1 - v) * size + 4}" text-anchor="end" ${FONT} font-size="10">${v}</text>`);
  }
  parts.push(`<text x="${left + size / 2}" y="${top + size + 30}" text-anchor="middle" ${FONT} font-size="11">confidence of the top class</text>`);
  parts.push(
    `<text x="${left + size / 2}" y="${top + size + 44}" text-anchor="middle" ${FONT} font-size="10">bars: accuracy; dots: mean confidence; dashed: perfect calibration</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${parts.join('')}</svg>`;
}

export interface ReportInput {
  metrics: Metrics;
  ece: number;
  probabilities: Float32Array;
  trueLabels: Int32Array;
  meta: ModelMetadata;
  modelDir: string;
  dataDescription: string;
  /** The evaluated faces, and how many of the most confident mistakes to show from them (default none). */
  faces?: Pick<Dataset, 'pixels' | 'ids'>;
  mistakes?: number;
}

/** The most confident mistakes as an HTML gallery: each face (2x, PNG inline), true and predicted label, confidence, id. */
async function mistakesHtml(r: ReportInput): Promise<string> {
  const n = r.mistakes ?? 0;
  if (!r.faces || n <= 0) return '';
  const labels = r.metrics.labels,
    side = IMAGE_SIZE,
    area = side * side;
  const items = await Promise.all(
    confidentMistakes(r.probabilities, r.trueLabels, labels.length, n).map(async (m) => {
      const face = r.faces!.pixels.subarray(m.index * area, (m.index + 1) * area);
      const png = await sharp(Buffer.from(face), { raw: { width: side, height: side, channels: 1 } })
        .resize(side * 2, side * 2, { kernel: 'nearest' })
        .png()
        .toBuffer();
      return `<figure class="face"><img alt="${esc(r.faces!.ids[m.index])}" src="data:image/png;base64,${png.toString('base64')}"><figcaption>${esc(labels[m.label])} &rarr; <b>${esc(labels[m.predicted])}</b> ${m.confidence.toFixed(2)}<br><small>${esc(r.faces!.ids[m.index])}</small></figcaption></figure>`;
    }),
  );
  return `<h2>The ${items.length} most confident mistakes</h2>
<p>Label &rarr; <b>prediction</b> and its probability. Some are the model's errors, some the labels' (FER2013 has one annotator per face). These pictures are copies of the evaluated data: mind its licence before sharing this page.</p>
<div class="faces">${items.join('')}</div>`;
}

/** Writes confusion.svg/.png, per-class.svg, reliability.svg, metrics.json and report.html into `outDir`. */
export async function writeReport(outDir: string, r: ReportInput): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const k = r.metrics.labels.length;
  const svgs = {
    'confusion.svg': confusionSvg(r.metrics),
    'per-class.svg': perClassSvg(r.metrics),
    'reliability.svg': reliabilitySvg(r.probabilities, r.trueLabels, k),
  };
  for (const [name, svg] of Object.entries(svgs)) writeFileSync(join(outDir, name), svg);
  await sharp(Buffer.from(svgs['confusion.svg'])).png().toFile(join(outDir, 'confusion.png'));
  writeFileSync(join(outDir, 'metrics.json'), JSON.stringify({ ...r.metrics, ece: r.ece, model: r.modelDir, data: r.dataDescription }, null, 2) + '\n');
  const rows = r.metrics.labels
    .map((l) => {
      const c = r.metrics.perClass[l];
      const rc = r.metrics.intervals?.recall[l];
      return `<tr><td>${esc(l)}</td><td>${c.precision.toFixed(3)}</td><td>${c.recall.toFixed(3)}${rc ? ` <small>(${intervalText(rc)})</small>` : ''}</td><td>${c.f1.toFixed(3)}</td><td>${c.support}</td></tr>`;
    })
    .join('');
  const cal = r.meta.calibration;
  const ci = r.metrics.intervals;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ferkit report: ${esc(r.modelDir)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}td:first-child,th:first-child{text-align:left}figure{margin:1.5em 0}.faces{display:flex;flex-wrap:wrap;gap:8px}.face{margin:0;width:120px;font-size:12px}.face small{color:#666;word-break:break-all}</style></head><body>
<h1>ferkit evaluation report</h1>
<p>Model <code>${esc(r.modelDir)}</code> (architecture <code>${esc(r.meta.architecture)}</code>${r.meta.parameters ? `, ${r.meta.parameters.toLocaleString('en')} parameters` : ''}) on ${esc(r.dataDescription)}.</p>
<table><tr><th>images</th><th>accuracy</th><th>macro-F1</th><th>expected calibration error</th><th>calibration</th></tr>
<tr><td>${r.metrics.samples}</td><td>${(r.metrics.accuracy * 100).toFixed(2)}%${ci ? ` <small>(${intervalText(ci.accuracy, true)})</small>` : ''}</td><td>${r.metrics.macroF1.toFixed(3)}${ci ? ` <small>(${intervalText(ci.macroF1)})</small>` : ''}</td><td>${r.ece.toFixed(4)}</td><td>${esc(describeCalibration(cal, r.meta.labels))}</td></tr></table>
${ci ? `<p><small>In brackets: ${Math.round(ci.level * 100)}% confidence intervals (Wilson for accuracy and recall; a bootstrap over the images, ${ci.resamples} resamples, for macro-F1).</small></p>` : ''}
<h2>Per class</h2><table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>${rows}</table>
<figure>${svgs['confusion.svg']}</figure><figure>${svgs['per-class.svg']}</figure><figure>${svgs['reliability.svg']}</figure>
${await mistakesHtml(r)}
<h2>Model metadata</h2><pre>${esc(JSON.stringify(r.meta, null, 2))}</pre>
</body></html>
`;
  writeFileSync(join(outDir, 'report.html'), html);
  return ['report.html', 'confusion.svg', 'confusion.png', 'per-class.svg', 'reliability.svg', 'metrics.json'];
}
