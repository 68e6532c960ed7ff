/** The TensorFlow.js backend in a browser: WebGL where the GPU allows, else WebAssembly, else JavaScript. */
import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../core/errors.js';
import type { EngineInfo } from '../core/engine.js';

/** A browser backend asked for; `auto` takes the first of webgl, wasm and cpu that initialises. */
export type BrowserBackend = 'auto' | 'webgl' | 'wasm' | 'cpu';

export interface BrowserEngineOptions {
  backend?: BrowserBackend;
  /** Folder URL of the WebAssembly backend's .wasm files (`tfjs-backend-wasm*.wasm`), when wasm may be used. */
  wasmPaths?: string;
  /**
   * WebAssembly threads for the wasm backend; default: TensorFlow.js's own
   * choice. Threads need a cross-origin-isolated page (`wasmThreads()`);
   * elsewhere the backend runs on one.
   */
  threads?: number;
}

/**
 * WebAssembly threads worth asking for here: the cores the browser reports,
 * at most `cap`, on a cross-origin-isolated page (threads need
 * SharedArrayBuffer); 1 elsewhere.
 */
export function wasmThreads(cap = 4): number {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  if (g.crossOriginIsolated !== true) return 1;
  return Math.max(1, Math.min(cap, g.navigator?.hardwareConcurrency ?? 1));
}

/** The WebGL renderer's name, where the browser tells it (undefined without WebGL). */
export function webglRenderer(): string | undefined {
  try {
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : globalThis.document?.createElement('canvas');
    const gl = (canvas?.getContext('webgl2') ?? canvas?.getContext('webgl')) as WebGLRenderingContext | null | undefined;
    if (!gl) return undefined;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return name;
  } catch {
    return undefined;
  }
}

/** WebGL drawn by the CPU (no GPU, or a blocked one): WebAssembly is many times faster there. */
export function isSoftwareRenderer(renderer: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render driver/i.test(renderer);
}

/** Picks and initialises a backend. Throws ENGINE_UNAVAILABLE when a forced one cannot load. */
export async function initBrowserEngine(options: BrowserEngineOptions = {}): Promise<EngineInfo> {
  const choice = options.backend ?? 'auto';
  if (!['auto', 'webgl', 'wasm', 'cpu'].includes(choice)) {
    throw new FerkitError('BAD_ARGUMENT', `unknown backend "${choice}"; use auto, webgl, wasm or cpu`);
  }
  // auto: WebGL on a GPU; where WebGL is drawn in software (no GPU), WebAssembly first:
  // headless Chromium on SwiftShader ran the webcam loop 13 times slower on WebGL (bench/webcam.ts)
  const renderer = choice === 'auto' ? webglRenderer() : undefined;
  const software = renderer !== undefined && isSoftwareRenderer(renderer);
  const order: ('webgl' | 'wasm' | 'cpu')[] = choice === 'auto' ? (software ? ['wasm', 'webgl', 'cpu'] : ['webgl', 'wasm', 'cpu']) : [choice];
  const failures: string[] = [];
  for (const name of order) {
    try {
      let threads: (() => number) | undefined;
      if (name === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        if (options.wasmPaths) wasm.setWasmPaths(options.wasmPaths);
        if (options.threads !== undefined) wasm.setThreadsCount(options.threads);
        // one thread: the single-threaded build, no worker threads started at all
        if (options.threads === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        threads = wasm.getThreadsCount;
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        const reason =
          choice !== 'auto'
            ? `${name}, as asked`
            : software && name === 'wasm'
              ? `wasm: WebGL here is drawn in software (${renderer}), where WebAssembly is faster`
              : `${name}, the fastest backend this browser initialises`;
        return { backend: name, native: false, reason, ...(threads ? { threads: threads() } : {}) };
      }
      failures.push(`${name} did not initialise`);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
    }
  }
  throw new FerkitError('ENGINE_UNAVAILABLE', `no TensorFlow.js backend initialises in this browser (${failures.join('; ')})`);
}
