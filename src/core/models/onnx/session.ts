/**
 * A classifier over an ONNX Runtime session, whichever ONNX Runtime made it
 * (onnxruntime-node in src/node/onnx.ts, onnxruntime-web in
 * src/browser/onnx.ts): both share onnxruntime-common's API. Platform-neutral.
 */
import type { InferenceSession } from 'onnxruntime-common';
import { FerkitError } from '../../errors.js';
import type { OrtTensorConstructor } from '../../ort.js';
import type { Classifier } from '../classifier.js';
import { ONNX_INPUT, ONNX_UNCALIBRATED } from './names.js';

export type { OrtTensorConstructor } from '../../ort.js';

/**
 * A classifier that runs a ferkit ONNX model's session. It reads the
 * network's `uncalibrated` output: calibration and test-time augmentation
 * happen in `classifierProbabilities`, as for TensorFlow.js. It owns the session.
 */
export async function sessionClassifier(session: InferenceSession, TensorClass: OrtTensorConstructor): Promise<Classifier> {
  const inputMeta = session.inputMetadata[0];
  const outputMeta = session.outputMetadata.find((m) => m.name === ONNX_UNCALIBRATED);
  if (!inputMeta?.isTensor || !outputMeta?.isTensor || inputMeta.name !== ONNX_INPUT) {
    await session.release();
    throw new FerkitError(
      'BAD_MODEL',
      `not a ferkit ONNX model: it needs input "${ONNX_INPUT}" and output "${ONNX_UNCALIBRATED}"; export it with ferkit export --format onnx`,
    );
  }
  const [, h, w, c] = inputMeta.shape as number[];
  const numClasses = outputMeta.shape[1] as number;
  return {
    runtime: 'onnxruntime',
    numClasses,
    async run(batch, n) {
      const out = await session.run({ [ONNX_INPUT]: new TensorClass('float32', batch, [n, h, w, c]) }, [ONNX_UNCALIBRATED]);
      return out[ONNX_UNCALIBRATED].data as Float32Array;
    },
    dispose() {
      // dispose() does not wait: a session that cannot be released (released already) has nothing left to free
      session.release().catch(() => undefined);
    },
  };
}
