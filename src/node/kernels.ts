/**
 * Faster kernels for the native engine (@tensorflow/tfjs-node), registered
 * over its own. tfjs-node builds some kernels out of several TensorFlow ops
 * where TensorFlow has a shorter way; these give the same values.
 */
import * as tf from '@tensorflow/tfjs';

/* The part of tfjs-node's backend these kernels call. */
interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.TensorInfo[]): tf.TensorInfo;
  disposeData(dataId: tf.DataId): void;
}

let registered = false;

/**
 * Step(x) with alpha 0 (the gradient of every ReLU in training): tfjs-node
 * runs it as six full-size operations (IsNan, Greater, two Fills, two
 * Selects); Sign(Relu(x)) is two, with the same values, NaN included
 * (TensorFlow's Relu keeps NaN). About a quarter of a training step of the
 * paper CNN went to those six.
 */
function registerStep(): void {
  const original = tf.getKernel('Step', 'tensorflow');
  if (!original) return;
  tf.unregisterKernel('Step', 'tensorflow');
  tf.registerKernel({
    kernelName: 'Step',
    backendName: 'tensorflow',
    kernelFunc: (args) => {
      const x = args.inputs['x'] as tf.TensorInfo;
      if (args.attrs?.['alpha'] !== 0 || x.dtype !== 'float32') return original.kernelFunc(args);
      const backend = args.backend as unknown as NativeBackend;
      const attrs = [{ name: 'T', type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT }];
      const relu = backend.executeSingleOutput('Relu', attrs, [x]);
      const out = backend.executeSingleOutput('Sign', attrs, [relu]);
      backend.disposeData(relu.dataId);
      return out;
    },
  });
}

/** Registers ferkit's kernels over the native engine's; once per process, after tfjs-node has loaded. */
export function registerNativeKernels(): void {
  if (registered) return;
  registered = true;
  registerStep();
}
