/**
 * The page's one recognizer: made when first needed, remade when the
 * engine changes, and used by one caller at a time (TensorFlow.js has one
 * backend per page, shared by the photo and the webcam).
 */
import * as tf from '@tensorflow/tfjs';
import { createBrowserRecognizer, type BrowserBackend, type BrowserRecognizer } from '../../src/browser/index.js';

/** Where `ferkit serve` puts the model, the face detectors' weights and the WebAssembly files. */
export const SERVED = { modelUrl: '/model/', detectorUrl: '/face-api/', fastDetectorUrl: '/blazeface/', wasmPaths: '/tfjs-wasm/' } as const;

export interface RecognizerPool {
  /** Runs `task` with the recognizer for `backend`, after the tasks before it. */
  run<T>(backend: BrowserBackend, task: (recognizer: BrowserRecognizer) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

/** Tensors alive in TensorFlow.js (steady while the webcam runs, unless something leaks). */
export const liveTensors = (): number => tf.memory().numTensors;

export function recognizerPool(onLoading: (backend: BrowserBackend) => void): RecognizerPool {
  let current: { backend: BrowserBackend; recognizer: BrowserRecognizer } | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function acquire(backend: BrowserBackend): Promise<BrowserRecognizer> {
    if (current?.backend === backend) return current.recognizer;
    current?.recognizer.dispose();
    current = undefined;
    onLoading(backend);
    const recognizer = await createBrowserRecognizer({ ...SERVED, backend });
    current = { backend, recognizer };
    return recognizer;
  }

  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  }

  return {
    run: (backend, task) => enqueue(async () => task(await acquire(backend))),
    dispose: () =>
      enqueue(async () => {
        current?.recognizer.dispose();
        current = undefined;
      }),
  };
}
