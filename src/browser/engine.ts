/** The TensorFlow.js backend in a browser: WebGL where the GPU allows, else WebAssembly, else JavaScript. */
import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../errors.js';
import type { EngineInfo } from '../engine.js';

/** A browser backend asked for; `auto` takes the first of webgl, wasm and cpu that initialises. */
export type BrowserBackend = 'auto' | 'webgl' | 'wasm' | 'cpu';

export interface BrowserEngineOptions {
  backend?: BrowserBackend;
  /** Folder URL of the WebAssembly backend's .wasm files (`tfjs-backend-wasm*.wasm`), when wasm may be used. */
  wasmPaths?: string;
}

/** Picks and initialises a backend. Throws ENGINE_UNAVAILABLE when a forced one cannot load. */
export async function initBrowserEngine(options: BrowserEngineOptions = {}): Promise<EngineInfo> {
  const choice = options.backend ?? 'auto';
  if (!['auto', 'webgl', 'wasm', 'cpu'].includes(choice)) {
    throw new FerkitError('BAD_ARGUMENT', `unknown backend "${choice}"; use auto, webgl, wasm or cpu`);
  }
  const order: ('webgl' | 'wasm' | 'cpu')[] = choice === 'auto' ? ['webgl', 'wasm', 'cpu'] : [choice];
  const failures: string[] = [];
  for (const name of order) {
    try {
      if (name === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        if (options.wasmPaths) wasm.setWasmPaths(options.wasmPaths);
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { backend: name, native: false, reason: choice === 'auto' ? `${name}, the fastest backend this browser initialises` : `${name}, as asked` };
      }
      failures.push(`${name} did not initialise`);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
    }
  }
  throw new FerkitError('ENGINE_UNAVAILABLE', `no TensorFlow.js backend initialises in this browser (${failures.join('; ')})`);
}
