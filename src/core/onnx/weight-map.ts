/**
 * A TensorFlow.js weight manifest's tensors decoded without TensorFlow.js:
 * float32 weights, and weights quantised to uint8 or uint16 with a
 * `{ scale, min }` (as face-api.js ships its networks). Platform-neutral.
 */
import { FerkitError } from '../errors.js';
import type { Weight, WeightMap } from './builder.js';

/** One weight entry of a manifest (the fields this decoder reads). */
export interface ManifestWeight {
  name: string;
  shape: readonly number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** The weights of `specs`, in manifest order, read from `data` (the weight files joined). Throws BAD_MODEL for a layout it cannot read. Pure. */
export function decodeWeightMap(data: Uint8Array, specs: readonly ManifestWeight[], location: string): WeightMap {
  const map = new Map<string, Weight>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  for (const s of specs) {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const q = s.quantization;
    if (s.dtype !== 'float32')
      throw new FerkitError('BAD_MODEL', `${location}: weight ${s.name} is ${s.dtype}; only float32 weights are read`, { file: location });
    const bytesPer = q === undefined ? 4 : q.dtype === 'uint8' ? 1 : q.dtype === 'uint16' ? 2 : 0;
    if (bytesPer === 0 || (q && !(Number.isFinite(q.scale) && Number.isFinite(q.min)))) {
      throw new FerkitError(
        'BAD_MODEL',
        `${location}: weight ${s.name} is quantised as ${JSON.stringify(q)}; only uint8 and uint16 with a scale and min are read`,
        {
          file: location,
        },
      );
    }
    if (at + size * bytesPer > data.byteLength) {
      throw new FerkitError(
        'BAD_MODEL',
        `${location}: the weight files hold ${data.byteLength} bytes, fewer than the weights need; reinstall the package that ships them`,
        {
          file: location,
        },
      );
    }
    const out = new Float32Array(size);
    if (q === undefined) for (let i = 0; i < size; i++) out[i] = view.getFloat32(at + 4 * i, true);
    else if (bytesPer === 1) for (let i = 0; i < size; i++) out[i] = data[at + i] * q.scale! + q.min!;
    else for (let i = 0; i < size; i++) out[i] = view.getUint16(at + 2 * i, true) * q.scale! + q.min!;
    at += size * bytesPer;
    map.set(s.name, { data: out, shape: s.shape });
  }
  return map;
}
