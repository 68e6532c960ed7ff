/**
 * Checks on a model's files before and after loading: a model of unknown
 * origin either loads as what its ferkit.json says it is, or fails with a
 * BAD_MODEL error naming the file and the problem. Platform-neutral.
 */
import type * as tf from '@tensorflow/tfjs';
import { excerpt, FerkitError } from '../errors.js';

export { excerpt } from '../errors.js';
import { EMOTIONS } from '../labels.js';
import type { ModelMetadata } from './metadata.js';
import { EQUALIZATIONS } from '../image/equalize.js';
import type { ModelJson } from './weights.js';
import { MAX_CLASS_BIAS, TEMPERATURE_RANGE } from './calibration.js';

/** The most bytes a model's JSON file (model.json, ferkit.json) may hold: 64 MiB; ferkit's are a few KB. */
export const MAX_MODEL_JSON_BYTES = 64 * 2 ** 20;

function bad(location: string, file: string, problem: string): FerkitError {
  return new FerkitError('BAD_MODEL', `${location}: ${file} ${problem}`, { file: location });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A path a model file may name (a weight file, an ensemble member): relative,
 * inside the model's folder. No absolute paths, drive letters, URLs,
 * backslashes or `..` segments.
 */
export function isSafeModelPath(path: unknown): path is string {
  if (typeof path !== 'string' || path.length === 0 || path.length > 255) return false;
  if (path.startsWith('/') || path.includes('\\') || path.includes(':') || path.includes('\0') || path.includes('?') || path.includes('#')) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** model.json has the shape of a TensorFlow.js layers model, and every weight path stays inside the model's folder. */
export function checkModelJson(json: unknown, location: string, file = 'model.json'): ModelJson {
  if (!isObject(json)) throw bad(location, file, `is not a TensorFlow.js layers model (no JSON object); give a model folder written by ferkit train, export or ensemble`);
  if (!isObject(json.modelTopology)) throw bad(location, file, 'has no modelTopology; it is not a TensorFlow.js layers model');
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) throw bad(location, file, 'has no weightsManifest; it is not a TensorFlow.js layers model');
  for (const group of manifest) {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw bad(location, file, 'has a malformed weightsManifest (each group needs paths and weights)');
    for (const p of group.paths) {
      if (!isSafeModelPath(p)) throw bad(location, file, `names the weight file "${excerpt(p)}", outside the model's folder; only relative paths inside it are read`);
    }
    for (const w of group.weights) {
      if (!isObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        throw bad(location, file, `has a malformed weight entry (${excerpt(w)})`);
      }
    }
  }
  return json as unknown as ModelJson;
}

/** ferkit.json says what ferkit needs to use the model, in values it can use. */
export function checkMetadata(meta: unknown, location: string, file = 'ferkit.json'): ModelMetadata {
  if (!isObject(meta)) throw bad(location, file, 'is not a JSON object');
  if (meta.format !== undefined && meta.format !== 'ferkit-model') throw bad(location, file, `has format "${excerpt(meta.format)}", not "ferkit-model"`);
  if (typeof meta.architecture !== 'string' || meta.architecture === '') throw bad(location, file, 'names no architecture');
  const labels = meta.labels;
  if (!Array.isArray(labels) || labels.length !== EMOTIONS.length || new Set(labels).size !== labels.length || !labels.every((l) => (EMOTIONS as readonly unknown[]).includes(l))) {
    throw bad(location, file, `must list the seven emotions (${EMOTIONS.join(', ')}) in output order as labels, not ${excerpt(labels)}`);
  }
  const pre = meta.preprocessing;
  if (!isObject(pre) || !Number.isSafeInteger(pre.inputSize) || (pre.inputSize as number) < 8 || (pre.inputSize as number) > 1024) {
    throw bad(location, file, `has no usable preprocessing.inputSize (${excerpt(isObject(pre) ? pre.inputSize : pre)})`);
  }
  if (pre.scale !== undefined && !(typeof pre.scale === 'number' && pre.scale >= MIN_SCALE && pre.scale <= 1))
    throw bad(location, file, `has preprocessing.scale ${excerpt(pre.scale)}; it must lie between ${MIN_SCALE.toExponential()} and 1 (ferkit's models take 1/255, pixels in [0, 1])`);
  if (pre.equalize !== undefined && !(EQUALIZATIONS as readonly unknown[]).includes(pre.equalize))
    throw bad(location, file, `has preprocessing.equalize ${excerpt(pre.equalize)}; this ferkit knows ${EQUALIZATIONS.join(' and ')} (a newer ferkit may read it)`);
  const cal = meta.calibration;
  if (cal !== undefined) checkCalibration(cal, labels.length, location, file);
  if (meta.members !== undefined) {
    if (!Array.isArray(meta.members) || meta.members.length === 0) throw bad(location, file, 'has members that are not a list of folders');
    for (const m of meta.members) if (!isSafeModelPath(m)) throw bad(location, file, `names the member folder "${excerpt(m)}", outside the model's folder`);
  }
  if (meta.memberWeights !== undefined) {
    const w = meta.memberWeights;
    const count = Array.isArray(meta.members) ? meta.members.length : 0;
    if (!Array.isArray(w) || w.length !== count || !w.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0) || Math.abs(w.reduce((a: number, b) => a + (b as number), 0) - 1) > 1e-6) {
      throw bad(location, file, `has memberWeights ${excerpt(w)}; an ensemble needs one positive weight per member, summing to 1`);
    }
  }
  if (meta.combine !== undefined && meta.combine !== 'probabilities' && meta.combine !== 'log') {
    throw bad(location, file, `has combine ${excerpt(meta.combine)}; this ferkit knows probabilities and log (a newer ferkit may read it)`);
  }
  if (meta.parameters !== undefined && !Number.isSafeInteger(meta.parameters)) throw bad(location, file, `has parameters ${excerpt(meta.parameters)}, not a whole number`);
  return meta as unknown as ModelMetadata;
}

/** The smallest preprocessing scale a model may have: pixels scaled by less than 1e-6 are all but zero. */
const MIN_SCALE = 1e-6;

const inRange = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && v >= lo && v <= hi;

/**
 * A calibration's values lie where a fitted one can put them: the
 * temperature within TEMPERATURE_RANGE, each class bias within
 * MAX_CLASS_BIAS, and the figures recorded beside them (errors in [0, 1],
 * log-likelihoods finite and not negative, a count of samples) what they say.
 */
function checkCalibration(cal: unknown, classes: number, location: string, file: string): void {
  if (!isObject(cal)) throw bad(location, file, 'has a calibration that is not an object');
  const [lo, hi] = TEMPERATURE_RANGE;
  if (!inRange(cal.temperature, lo, hi)) {
    throw bad(location, file, `has calibration temperature ${excerpt(cal.temperature)}; it must lie between ${lo} and ${hi}. Fit it again with \`ferkit calibrate\``);
  }
  const bias = cal.classBias;
  if (bias !== undefined && !(Array.isArray(bias) && bias.length === classes && bias.every((b) => inRange(b, -MAX_CLASS_BIAS, MAX_CLASS_BIAS)))) {
    throw bad(location, file, `has a calibration classBias that is not ${classes} numbers between -${MAX_CLASS_BIAS} and ${MAX_CLASS_BIAS} (${excerpt(bias)}); fit it again with \`ferkit calibrate --class-bias\``);
  }
  for (const key of ['eceBefore', 'eceAfter', 'macroF1Before', 'macroF1After'] as const) {
    if (cal[key] !== undefined && !inRange(cal[key], 0, 1)) throw bad(location, file, `has calibration ${key} ${excerpt(cal[key])}; it must lie between 0 and 1. Fit it again with \`ferkit calibrate\``);
  }
  for (const key of ['nllBefore', 'nllAfter'] as const) {
    if (cal[key] !== undefined && !inRange(cal[key], 0, Number.MAX_VALUE)) throw bad(location, file, `has calibration ${key} ${excerpt(cal[key])}; it must be a finite number, not negative. Fit it again with \`ferkit calibrate\``);
  }
  if (cal.samples !== undefined && !(Number.isSafeInteger(cal.samples) && (cal.samples as number) >= 0)) throw bad(location, file, `has calibration samples ${excerpt(cal.samples)}, not a count`);
  if (cal.fittedOn !== undefined && typeof cal.fittedOn !== 'string') throw bad(location, file, `has calibration fittedOn ${excerpt(cal.fittedOn)}, not text`);
}

/** The architecture model.json's topology was built as, where it names one of the `known` architectures (the registry's). */
export function checkTopologyName(json: ModelJson, meta: ModelMetadata, known: ReadonlySet<string>, location: string, file = 'model.json'): void {
  const name = json.modelTopology.config?.name;
  if (typeof name === 'string' && known.has(name) && known.has(meta.architecture) && name !== meta.architecture) {
    throw bad(location, file, `holds a "${name}" network, but ferkit.json says architecture "${meta.architecture}"; the two files come from different models`);
  }
}

/**
 * The loaded network is what ferkit.json says: its input is the preprocessing's
 * square grey picture, it has an output per label, as many parameters as
 * recorded, and every weight is finite.
 */
export function checkNetwork(model: tf.LayersModel, meta: ModelMetadata, location: string, file = 'model.json', weightFiles = 'weights.bin'): void {
  const input = model.inputs[0]?.shape;
  const size = meta.preprocessing.inputSize;
  if (model.inputs.length !== 1 || !input || input.length !== 4 || input[1] !== size || input[2] !== size || input[3] !== 1) {
    throw bad(location, file, `takes input ${excerpt(input)}, not the ${size}x${size} grey picture that ferkit.json's preprocessing describes`);
  }
  const output = model.outputs[0]?.shape;
  if (model.outputs.length !== 1 || !output || output.length !== 2 || output[1] !== meta.labels.length) {
    throw bad(location, file, `gives ${excerpt(output?.[output.length - 1])} outputs, but ferkit.json lists ${meta.labels.length} labels; the two files come from different models`);
  }
  if (meta.parameters !== undefined && !meta.members && model.countParams() !== meta.parameters) {
    throw bad(location, file, `has ${model.countParams()} parameters, but ferkit.json records ${meta.parameters}; the two files come from different models`);
  }
  for (const w of model.weights) {
    const values = w.read().dataSync();
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw bad(location, weightFiles, `holds ${values[i]} in weight ${w.originalName}; the model is damaged. Train it again or restore a good copy`);
      }
    }
  }
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** The bytes model.json's weight specs need; a BAD_MODEL error for a type ferkit does not read. */
export function weightBytesNeeded(specs: readonly tf.io.WeightsManifestEntry[], location: string, file = 'model.json'): number {
  let need = 0;
  for (const s of specs) {
    const per = BYTES[s.quantization?.dtype ?? s.dtype];
    if (per === undefined) throw bad(location, file, `has a weight of type "${excerpt(s.quantization?.dtype ?? s.dtype)}", which ferkit does not read`);
    need += s.shape.reduce((a, b) => a * b, 1) * per;
  }
  return need;
}

/** The weight files hold exactly the bytes model.json's weight specs need, before anything is built from them. */
export function checkWeightBytes(specs: readonly tf.io.WeightsManifestEntry[], byteLength: number, location: string, weightFiles: string): void {
  const need = weightBytesNeeded(specs, location);
  if (need !== byteLength) throw bad(location, weightFiles, `${weightFiles.includes(',') ? 'hold' : 'holds'} ${byteLength} bytes, but model.json's weights need ${need}; the files are cut short or come from different models`);
}
