import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FerkitError } from '../errors.js';
import type { EngineChoice, EngineInfo } from '../engine.js';

const require = createRequire(import.meta.url);

/** An optional dependency: named through a variable so the build does not need it installed. */
const NATIVE_PACKAGE: string = '@tensorflow/tfjs-node';

/** Where the user can read how to get the native engine. */
const NATIVE_HELP = 'reinstall with `npm ci` where python3 with pip can fetch the tensorflow-cpu wheel (see docs/install.md)';

async function tryNative(): Promise<string | undefined> {
  try {
    // keep TensorFlow's C++ start-up chatter (oneDNN, CPU features) off the user's terminal
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
    // TensorFlow 2.21's oneDNN kernels divide by zero while planning some 1x1
    // convolutions (face detection's) on some AVX-512 CPUs (seen on an AMD EPYC
    // virtual machine), which kills the process (SIGFPE); TensorFlow's own
    // kernels have no such fault.
    // Set TF_ENABLE_ONEDNN_OPTS=1 to use oneDNN where it works.
    process.env.TF_ENABLE_ONEDNN_OPTS ??= '0';
    await import(NATIVE_PACKAGE);
    return undefined;
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    return msg;
  }
}

async function tryWasm(): Promise<string | undefined> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(join(dir, 'dist') + '/');
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

/** The part of tfjs-node's backend that runs one TensorFlow op on one tensor. */
interface NativeBackend {
  executeSingleInput(name: string, input: tf.TensorInfo): tf.TensorInfo;
}

let originalClip: tf.KernelConfig | undefined;

/**
 * tfjs-node runs `clipByValue(x, 0, 6)` (relu6, as face-api's SSD-MobileNet
 * writes it) as two passes, a minimum then a maximum, each with a new scalar
 * tensor. Re-registered on the native backend, that case runs TensorFlow's
 * own Relu6 op: one pass, nothing allocated besides the result. Any other
 * clip runs as before; gradients are registered by kernel name and are
 * unchanged. `initEngine` turns it on; `useNativeRelu6(false)` puts
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

export interface EngineOptions {
  /**
   * The backend will train: WebAssembly has no convolution gradients, so
   * without the native engine training falls back to pure JavaScript.
   */
  training?: boolean;
}

/**
 * Picks and initialises the TensorFlow.js backend: the native engine
 * (@tensorflow/tfjs-node) when it is installed and loads, else WebAssembly
 * (inference) or pure JavaScript (training), else pure JavaScript. `choice`
 * (or the FERKIT_BACKEND environment variable) forces one. Throws
 * ENGINE_UNAVAILABLE when a forced backend cannot load or cannot train.
 */
export async function initEngine(
  choice: EngineChoice = (process.env.FERKIT_BACKEND as EngineChoice | undefined) ?? 'auto',
  options: EngineOptions = {},
): Promise<EngineInfo> {
  if (!['auto', 'native', 'wasm', 'cpu'].includes(choice)) {
    throw new FerkitError('BAD_ARGUMENT', `unknown backend "${choice}"; use auto, native, wasm or cpu`);
  }
  if (choice === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    return { backend: 'cpu', native: false, reason: 'pure JavaScript backend, as asked', warning: 'training on the pure JavaScript backend is very slow' };
  }
  let nativeError: string | undefined;
  if (choice === 'auto' || choice === 'native') {
    nativeError = await tryNative();
    if (!nativeError && (await tf.setBackend('tensorflow'))) {
      await tf.ready();
      useNativeRelu6();
      return {
        backend: 'tensorflow',
        native: true,
        reason:
          choice === 'native'
            ? 'native TensorFlow engine (@tensorflow/tfjs-node), as asked'
            : 'native TensorFlow engine (@tensorflow/tfjs-node) is installed and loads',
      };
    }
    nativeError ??= 'the tensorflow backend did not initialise';
    if (choice === 'native') {
      throw new FerkitError('ENGINE_UNAVAILABLE', `the native engine cannot be loaded (${nativeError}); ${NATIVE_HELP}`);
    }
  }
  if (choice === 'wasm' && options.training) {
    throw new FerkitError(
      'ENGINE_UNAVAILABLE',
      `the WebAssembly backend cannot train (it has no convolution gradient kernels); use the native engine, or the pure JavaScript backend (cpu)`,
    );
  }
  const wasmError = options.training ? 'no convolution gradients for training' : await tryWasm();
  if (!wasmError && (await tf.setBackend('wasm'))) {
    await tf.ready();
    const why = nativeError ? `native engine unavailable (${nativeError}); using WebAssembly` : 'WebAssembly backend, as asked';
    return {
      backend: 'wasm',
      native: false,
      reason: why,
      warning: `WebAssembly runs models but cannot train them; training would fall back to pure JavaScript, about 150x slower than the native engine; ${NATIVE_HELP}`,
    };
  }
  if (choice === 'wasm') throw new FerkitError('ENGINE_UNAVAILABLE', `the WebAssembly backend cannot be loaded (${wasmError})`);
  await tf.setBackend('cpu');
  await tf.ready();
  return {
    backend: 'cpu',
    native: false,
    reason: options.training
      ? `native engine unavailable (${nativeError ?? 'not asked for'}) and WebAssembly cannot train; using pure JavaScript`
      : `native engine (${nativeError}) and WebAssembly (${wasmError}) unavailable; using pure JavaScript`,
    warning: `training on the pure JavaScript backend is very slow; ${NATIVE_HELP}`,
  };
}

/** Version of libtensorflow behind the native engine, where it is in use. */
export function nativeVersion(): string | undefined {
  try {
    const v = tf.version as Record<string, string>;
    return v['tfjs-node'];
  } catch {
    return undefined;
  }
}

export { tf };
