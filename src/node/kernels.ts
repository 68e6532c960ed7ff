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
  executeSingleInput(name: string, input: tf.TensorInfo): tf.TensorInfo;
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

let originalClip: tf.KernelConfig | undefined;

/**
 * tfjs-node runs `clipByValue(x, 0, 6)` (relu6, as face-api's SSD-MobileNet
 * writes it) as two passes, a minimum then a maximum, each with a new scalar
 * tensor. Re-registered on the native backend, that case runs TensorFlow's
 * own Relu6 op: one pass, nothing allocated besides the result. Any other
 * clip runs as before; gradients are registered by kernel name and are
 * unchanged. `registerNativeKernels` turns it on; `useNativeRelu6(false)` puts
 * tfjs-node's kernel back (benchmarks compare the two).
 */
export function useNativeRelu6(on = true): void {
  if (on === (originalClip !== undefined)) return;
  if (!on) {
    tf.unregisterKernel(tf.ClipByValue, 'tensorflow');
    tf.registerKernel(originalClip!);
    originalClip = undefined;
    return;
  }
  const original = tf.getKernel(tf.ClipByValue, 'tensorflow');
  if (!original) return;
  tf.unregisterKernel(tf.ClipByValue, 'tensorflow');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { clipValueMin, clipValueMax } = args.attrs as unknown as tf.ClipByValueAttrs;
      const x = args.inputs.x as tf.TensorInfo;
      if (clipValueMin === 0 && clipValueMax === 6 && x.dtype === 'float32') return (args.backend as unknown as NativeBackend).executeSingleInput(tf.Relu6, x);
      return original.kernelFunc(args);
    },
  });
  originalClip = original;
}

/** Registers ferkit's kernels over the native engine's; once per process, after tfjs-node has loaded. */
export function registerNativeKernels(): void {
  if (registered) return;
  registered = true;
  registerStep();
  useNativeRelu6();
}
