/**
 * What a TensorFlow.js backend is to ferkit: its name, whether it is the
 * native engine, and why it was chosen. Platform-neutral; the adapters
 * (src/node/engine.ts, src/browser/engine.ts) pick and initialise one.
 */

/** A backend asked for: `auto` picks the fastest that loads. */
export type EngineChoice = 'auto' | 'native' | 'wasm' | 'cpu';
/** What runs ferkit's networks: a TensorFlow.js backend (webgl in browsers only), or ONNX Runtime alone (recognition in Node, TensorFlow.js not loaded). */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu' | 'webgl' | 'onnxruntime';

export interface EngineInfo {
  /** The TensorFlow.js backend in use. */
  backend: BackendName;
  /** Whether that is the native TensorFlow engine (fast training). */
  native: boolean;
  /** Why this backend was picked, in words for the user. */
  reason: string;
  /** Set when training will be slow on this backend. */
  warning?: string;
  /** WebAssembly threads the backend runs on, where it tells (the browser's wasm backend). */
  threads?: number;
}

/** Backends that have every kernel training needs. */
export function canTrain(backend: string): boolean {
  return backend === 'tensorflow' || backend === 'cpu';
}
