import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerkitError } from '../core/errors.js';
import type { EngineChoice, EngineInfo } from '../core/engine.js';
import { registerNativeKernels } from './kernels.js';

const require = createRequire(import.meta.url);

/** An optional dependency: named through a variable so the build does not need it installed. */
const NATIVE_PACKAGE: string = '@tensorflow/tfjs-node';

/** Where the user can read how to get the native engine. */
const NATIVE_HELP = 'reinstall with `npm ci` where python3 with pip can fetch the tensorflow-cpu wheel (see docs/install.md)';

/**
 * Whether TensorFlow's oneDNN kernels train and run these architectures at
 * these batch sizes without faulting, tried in a child process (about two
 * seconds). A fault there (SIGFPE, SIGBUS) answers false; this process is
 * never at risk.
 */
export function oneDnnWorks(probe: OneDnnProbe): boolean {
  const args = [probe.batchSizes.join(','), ...probe.architectures];
  // the answer depends on the CPU, the TensorFlow build and the nets: kept per machine in the temp folder
  const key = createHash('sha256')
    .update(JSON.stringify([args, os.cpus()[0]?.model, os.cpus().length, cpuFlags(), process.versions.node, nativePackageVersion()]))
    .digest('hex')
    .slice(0, 16);
  const cache = join(os.tmpdir(), `ferkit-onednn-${key}`);
  if (existsSync(cache)) return readFileSync(cache, 'utf8') === 'works';
  const script = fileURLToPath(new URL('./onednn-probe.js', import.meta.url));
  const run = spawnSync(process.execPath, [script, ...args], {
    env: { ...process.env, TF_ENABLE_ONEDNN_OPTS: '1', TF_CPP_MIN_LOG_LEVEL: '3' },
    stdio: 'ignore',
    timeout: 180_000,
  });
  const works = run.status === 0;
  // a fault is a signal (SIGFPE, SIGBUS, SIGABRT seen); a probe that timed out or could not start says nothing: not kept
  const faulted = run.signal !== null && run.signal !== 'SIGTERM' && run.signal !== 'SIGKILL' && !run.error;
  if (works || faulted) {
    try {
      writeFileSync(cache, works ? 'works' : `faults (${run.signal})`);
    } catch {
      // a read-only temp folder only costs the probe next time
    }
  }
  return works;
}

/** The CPU's feature flags as Linux lists them in /proc/cpuinfo (empty elsewhere). */
export function cpuFlags(): string {
  try {
    return /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

function nativePackageVersion(): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${NATIVE_PACKAGE}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'none';
  }
}

async function tryNative(probe?: OneDnnProbe): Promise<string | undefined> {
  try {
    // keep TensorFlow's C++ start-up chatter (oneDNN, CPU features) off the user's terminal
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
    // TensorFlow 2.21's oneDNN kernels divide by zero while planning some 1x1
    // convolutions (face detection's, and the xception architecture's) on some
    // AVX-512 CPUs (seen on an AMD EPYC virtual machine), which kills the
    // process (SIGFPE); TensorFlow's own kernels have no such fault. oneDNN
    // trains about twice as fast, so training turns it on after a probe in a
    // child process says it works for the architectures to be trained.
    // TF_ENABLE_ONEDNN_OPTS=1 or 0 decides instead.
    if (process.env.TF_ENABLE_ONEDNN_OPTS === undefined && probe && !tfjsNodeLoaded()) {
      process.env.TF_ENABLE_ONEDNN_OPTS = oneDnnWorks(probe) ? '1' : '0';
    }
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

export interface EngineOptions {
  /**
   * The backend will train: WebAssembly has no convolution gradients, so
   * without the native engine training falls back to pure JavaScript.
   */
  training?: boolean;
  /**
   * Turn on TensorFlow's oneDNN kernels (about twice as fast for training)
   * if a child process can train these architectures with them; see
   * `oneDnnWorks`. Ignored when TF_ENABLE_ONEDNN_OPTS is set, or once the
   * native engine has loaded in this process.
   */
  oneDnn?: OneDnnProbe;
}

export interface OneDnnProbe {
  architectures: string[];
  /** Batch sizes the run will use (training, the last partial batch, prediction). */
  batchSizes: number[];
}

/** Whether this process has loaded tfjs-node already (its oneDNN setting is then fixed). */
function tfjsNodeLoaded(): boolean {
  try {
    return Boolean(require.cache[require.resolve(NATIVE_PACKAGE)]);
  } catch {
    return false;
  }
}

/** Whether the native engine of this process runs oneDNN's kernels. */
export function oneDnnEnabled(): boolean {
  return process.env.TF_ENABLE_ONEDNN_OPTS === '1';
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
    nativeError = await tryNative(options.oneDnn);
    if (!nativeError && (await tf.setBackend('tensorflow'))) {
      await tf.ready();
      registerNativeKernels();
      const kernels = options.oneDnn ? (oneDnnEnabled() ? ', oneDNN kernels' : ", TensorFlow's own kernels (oneDNN off)") : '';
      return {
        backend: 'tensorflow',
        native: true,
        reason:
          (choice === 'native'
            ? 'native TensorFlow engine (@tensorflow/tfjs-node), as asked'
            : 'native TensorFlow engine (@tensorflow/tfjs-node) is installed and loads') + kernels,
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
