/**
 * ONNX Runtime sessions, whichever ONNX Runtime made them (onnxruntime-node
 * in src/node/, onnxruntime-web in src/browser/): both share
 * onnxruntime-common's API. A network runner over a session, for the face
 * detectors; the emotion models' classifier is core/models/onnx/session.ts.
 * Platform-neutral.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';

/** The tensor constructor of an ONNX Runtime package (`ort.Tensor`). */
export type OrtTensorConstructor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;

/** A float32 tensor fed to or read from a network. */
export interface NetTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** One loaded network: feeds in, the named outputs out. */
export interface NetRunner {
  run(feeds: Record<string, NetTensor>, outputs: readonly string[]): Promise<Record<string, Float32Array>>;
  dispose(): void;
}

/** A runner over `session`; it owns the session. */
export function sessionRunner(session: InferenceSession, TensorClass: OrtTensorConstructor): NetRunner {
  return {
    async run(feeds, outputs) {
      const inputs: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) inputs[name] = new TensorClass('float32', t.data, t.dims);
      const out = await session.run(inputs, outputs as string[]);
      // onnxruntime-node's and onnxruntime-web's CPU outputs are copies, the caller's to keep
      return Object.fromEntries(outputs.map((name) => [name, out[name].data as Float32Array]));
    },
    dispose() {
      // dispose() does not wait: a session that cannot be released (released already) has nothing left to free
      session.release().catch(() => undefined);
    },
  };
}
