import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine, nativeVersion } from '../node/engine.js';
import { listArchitectures } from '../core/models/architectures.js';
import { bundledModelNames, defaultModelDir, readMetadata } from '../store/folder.js';
import type { ModelMetadata } from '../core/models/metadata.js';
import { describeModel, type ModelDescription } from '../store/describe.js';
import { parseFlags, backendFlag } from './args.js';
import { OUTPUT_FLAGS, pickFlags, RECOGNIZER_FLAGS } from './option-groups.js';
import { FerkitError } from '../core/errors.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export const INFO_HELP = `ferkit info [--json] [--backend NAME]
ferkit info --model NAME|DIR [--json]

Prints ferkit's version, what runs recognition (ONNX Runtime), the
TensorFlow.js backend that training would use and why, every bundled
model (its architecture, parameters, size and held-out accuracy; give its
name to --model) and the architectures in the registry. With
--model, describes one model instead: architecture, parameters, weights
(dtype, folding, size, SHA-256), ensemble members, how it was trained
(recipe, data, split, init, teacher), its validation figures and its
calibration.

  --json           print one JSON object instead
  --model NAME|DIR describe this model (a bundled name or a folder)
  --backend NAME   auto | native | wasm | cpu: the backend to report on

examples:
  ferkit info
  ferkit info --model fast
  ferkit info --model runs/vgg --json`;

/** A bundled model as \`ferkit info\` lists it. */
export interface BundledModel {
  name: string;
  /** Whether it is the model used when none is given. */
  default: boolean;
  architecture?: string;
  description?: string;
  parameters?: number;
  /** Size of its weight files. */
  weightsBytes?: number;
  /** Accuracy on the held-out part of its training data, as recorded when it was trained. */
  accuracy?: number;
  /** Why it could not be read, for a model folder that is damaged. */
  error?: string;
}

/** Every bundled model, described from its folder. */
export function bundledModels(): BundledModel[] {
  let defaultDir: string | undefined;
  try {
    defaultDir = defaultModelDir();
  } catch {
    /* none */
  }
  return bundledModelNames().map((name) => {
    const isDefault = defaultDir !== undefined && basename(defaultDir) === name;
    try {
      const d = describeModel(name);
      const accuracy = (d.metrics?.validation as { accuracy?: unknown } | undefined)?.accuracy;
      return {
        name,
        default: isDefault,
        architecture: d.architecture,
        ...(d.description ? { description: d.description } : {}),
        ...(d.parameters !== undefined ? { parameters: d.parameters } : {}),
        weightsBytes: d.weightsBytes,
        ...(typeof accuracy === 'number' ? { accuracy } : {}),
      };
    } catch (err) {
      return { name, default: isDefault, error: err instanceof Error ? err.message : String(err) };
    }
  });
}

/** The lines of \`ferkit info\` about the bundled models. */
export function formatBundledModels(models: readonly BundledModel[]): string[] {
  if (!models.length) return ['bundled models: none installed (train one with ferkit train and give its folder)'];
  const rows = models.map((m) =>
    m.error
      ? [m.name, `cannot be read: ${m.error}`]
      : [
          m.name,
          m.architecture ?? '?',
          m.parameters !== undefined ? `${(m.parameters / 1e6).toFixed(2)}M parameters` : '',
          m.weightsBytes !== undefined ? `${(m.weightsBytes / 2 ** 20).toFixed(1)} MB` : '',
          m.accuracy !== undefined ? `held-out accuracy ${pct(m.accuracy)}` : 'accuracy not recorded',
          m.default ? '(the default)' : '',
        ],
  );
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r.length > 2 ? (r[i] ?? '').length : 0))));
  return ['bundled models (--model NAME):', ...rows.map((r) => `  ${(r.length > 2 ? r.map((c, i) => c.padEnd(widths[i])) : r).join('  ').trimEnd()}`)];
}

const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(2)}%` : '?');

/** The lines on how a model was trained, from its ferkit.json `training` and `metrics`. */
function trainingLine(t: Record<string, unknown> | undefined, m: Record<string, unknown> | undefined): string[] {
  if (!t) return ['training: not recorded'];
  const parts = [
    `${String(t.epochs)} epochs`,
    `batch ${String(t.batchSize)}`,
    `${t.optimizer === 'sgd' ? `SGD (Nesterov momentum ${String(t.momentum)}) ` : ''}lr ${String(t.learningRate)} ${String(t.schedule ?? 'constant')}${t.schedule === 'plateau' ? ` (x${String(t.plateauFactor)} after ${String(t.plateauPatience)} epochs)` : ''}`,
    `seed ${String(t.seed)}`,
    ...(t.split !== undefined
      ? [t.split === 0 ? 'split 0 (every image trained, none held out)' : `split ${String(t.split)} (seed ${String(t.splitSeed ?? t.seed)})`]
      : t.validation
        ? [`validation ${String(t.validation)}`]
        : []),
    ...(t.dedupe ? [`validation without copies of training faces (similarity >= ${String(t.dedupe)})`] : []),
    ...(t.classWeighting && t.classWeighting !== 'none' ? [`class weights ${String(t.classWeighting)}`] : []),
    ...(t.balancedSampling ? ['balanced batches'] : []),
    ...(t.labelSmoothing ? [`label smoothing ${String(t.labelSmoothing)}`] : []),
    ...(t.mixup ? [`mixup ${String(t.mixup)}`] : []),
    ...(t.ferplus ? [`FER+ ${String(t.ferplus)}`] : []),
    ...(t.equalize && t.equalize !== 'none' ? [`equalize ${String(t.equalize)}`] : []),
  ];
  const lines = [
    `training: ${parts.join(', ')}`,
    `  data: ${String(t.data ?? '?')} (${String(t.trainCount ?? '?')} train, ${String(t.validationCount ?? '?')} validation)`,
  ];
  if (t.init) lines.push(`  init: ${String(t.init)}`);
  if (t.teacher)
    lines.push(
      `  teacher: ${String(t.teacher)} (weight ${String(t.distillWeight)}, temperature ${String(t.distillTemperature)}${t.teacherSha256 ? `, sha256 ${String(t.teacherSha256).slice(0, 16)}…` : ''})`,
    );
  const val = m?.validation as { accuracy?: number } | undefined;
  if (val)
    lines.push(
      `  validation accuracy ${pct(val.accuracy)}${m?.bestEpoch ? ` (best epoch ${String(m.bestEpoch)} of ${String(m.epochs)})` : ''}${typeof m?.trainingSeconds === 'number' ? `, ${(m.trainingSeconds / 60).toFixed(0)} min of training` : ''}`,
    );
  return lines;
}

/** The text `ferkit info --model` prints. */
export function formatModelDescription(d: ModelDescription): string {
  const lines = [
    `model: ${d.dir}`,
    `architecture: ${d.architecture}${d.parameters !== undefined ? `, ${d.parameters.toLocaleString('en-US')} parameters` : ''}${d.description ? ` — ${d.description}` : ''}`,
    `labels: ${d.labels.join(', ')}`,
    `weights: ${d.weightsDtype}${d.foldedBatchNorm ? ', batch norm folded' : ''}, ${(d.weightsBytes / 2 ** 20).toFixed(1)} MB, sha256 ${d.sha256}`,
  ];
  if (d.members) {
    for (const m of d.members) lines.push(`member ${m.folder} (${m.architecture}):`, ...trainingLine(m.training, m.metrics).map((l) => `  ${l}`));
  } else {
    lines.push(...trainingLine(d.training, d.metrics));
  }
  const c = d.calibration;
  lines.push(
    c
      ? `calibration: temperature ${c.temperature.toFixed(3)} fitted on ${c.samples} images of ${c.fittedOn} (ECE ${c.eceBefore.toFixed(3)} -> ${c.eceAfter.toFixed(3)})${c.classBias ? ', with a class bias' : ''}`
      : 'calibration: none (probabilities as the network gives them)',
  );
  return lines.join('\n') + '\n';
}

/** What runs recognition (predict, video, serve, workers): told apart from the training engine below it. */
const RECOGNITION_RUNTIME = 'ONNX Runtime (onnxruntime-node) runs the face detectors and the bundled emotion models; TensorFlow.js is not loaded';

export async function infoCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, { ...pickFlags(OUTPUT_FLAGS, 'json'), ...pickFlags(RECOGNIZER_FLAGS, 'backend', 'model') });
  if (v.model) {
    const d = describeModel(v.model);
    out(v.json ? JSON.stringify(d, null, 2) + '\n' : formatModelDescription(d));
    return 0;
  }
  const engine = await initEngine(backendFlag(v.backend));
  let model: string;
  try {
    model = defaultModelDir();
  } catch (err) {
    model = err instanceof FerkitError ? `none (${err.message})` : String(err);
  }
  let modelInfo: Partial<ModelMetadata> = {};
  try {
    if (existsSync(join(model, 'ferkit.json'))) modelInfo = readMetadata(model);
  } catch {
    /* no metadata */
  }
  const info = {
    version: packageVersion(),
    node: process.version,
    backend: engine.backend,
    native: engine.native,
    reason: engine.reason,
    ...(engine.warning ? { warning: engine.warning } : {}),
    ...(engine.native ? { tfjsNode: nativeVersion() } : {}),
    defaultModel: model,
    defaultModelArchitecture: modelInfo['architecture'],
    defaultModelMetrics: modelInfo['metrics'],
    recognition: RECOGNITION_RUNTIME,
    models: bundledModels(),
    architectures: listArchitectures().map((a) => ({ name: a.name, description: a.description })),
  };
  if (v.json) {
    out(JSON.stringify(info, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `ferkit ${info.version} (Node ${info.node})`,
    `recognition: ${info.recognition}`,
    `training: ${info.backend} — ${info.reason}`,
    ...(engine.warning ? [`warning: ${engine.warning}`] : []),
    ...formatBundledModels(info.models),
    'architectures:',
    ...info.architectures.map((a) => `  ${a.name.padEnd(8)} ${a.description}`),
  ];
  out(lines.join('\n') + '\n');
  return 0;
}
