/**
 * The face detectors on ONNX Runtime in Node, from the ONNX files written
 * into dist/onnx/ when ferkit is built (scripts/build-onnx.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Ort from 'onnxruntime-node';
import { FerkitError } from '../errors.js';
import { BLAZEFACE_BACK, BLAZEFACE_FRONT, type BlazeFaceLayout } from '../face/blazeface-decode.js';
import type { DetectorOptions } from '../face/detector.js';
import { OnnxBlazeFace, OnnxSsdDetector, type NetRunner, type NetTensor } from '../face/onnx-detectors.js';
import { loadOnnxRuntime, onnxSession, type OnnxSessionOptions } from './ort.js';

/** The folder of the ONNX files ferkit was built with. */
export function onnxDir(): string {
  // dist/src/node/ -> dist/onnx/
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'onnx');
}

/** The bytes of one of the built ONNX files, or an error that says how to make them. */
export function builtOnnx(file: string): Uint8Array {
  const path = join(onnxDir(), file);
  if (!existsSync(path))
    throw new FerkitError(
      'MODEL_NOT_FOUND',
      `${path} is missing: ferkit's ONNX networks are written when it is built; run \`npm run build\` in ferkit's folder (or reinstall it)`,
      {
        file: path,
      },
    );
  return readFileSync(path);
}

/** A runner over an ONNX Runtime session. */
export async function onnxRunner(bytes: Uint8Array, options: OnnxSessionOptions = {}): Promise<NetRunner> {
  const ort: typeof Ort = await loadOnnxRuntime();
  const session = await onnxSession(bytes, options);
  return {
    async run(feeds: Record<string, NetTensor>, outputs: readonly string[]) {
      const inputs: Record<string, Ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', t.data, t.dims);
      const out = await session.run(inputs, outputs as string[]);
      return Object.fromEntries(outputs.map((name) => [name, out[name].data as Float32Array]));
    },
    dispose() {
      // dispose() does not wait: a session that cannot be released (released already) has nothing left to free
      session.release().catch(() => undefined);
    },
  };
}

/** BlazeFace on ONNX Runtime: the 256x256 back-camera model, or the 128x128 front one. */
export async function loadOnnxBlazeFace(options: { minConfidence?: number; maxFaces?: number; layout?: BlazeFaceLayout } = {}): Promise<OnnxBlazeFace> {
  const layout = options.layout ?? BLAZEFACE_BACK;
  const file = layout === BLAZEFACE_FRONT ? 'blazeface-front.onnx' : 'blazeface.onnx';
  return new OnnxBlazeFace(await onnxRunner(builtOnnx(file)), options, layout);
}

/** SSD-MobileNet v1 and, unless `landmarks: false`, the 68-point landmarks on ONNX Runtime. */
export async function loadOnnxSsd(options: Omit<DetectorOptions, 'kind'> = {}): Promise<OnnxSsdDetector> {
  const ssd = await onnxRunner(builtOnnx('ssd_mobilenetv1.onnx'));
  try {
    const landmarks = (options.landmarks ?? true) ? await onnxRunner(builtOnnx('face_landmark_68.onnx')) : undefined;
    return new OnnxSsdDetector(ssd, landmarks, options);
  } catch (err) {
    ssd.dispose();
    throw err;
  }
}
