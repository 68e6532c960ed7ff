/** The face detectors in Node: fast (BlazeFace), accurate (SSD-MobileNet) or both, with the weights installed with ferkit. */
import { ChoosingDetector } from '../face/choice.js';
import type { Detector, DetectorChoice, DetectorOptions } from '../face/detector.js';
import { loadBlazeFace } from './blazeface.js';
import { loadFaceDetector } from './face-api.js';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from './engine.js';

/** Detector settings from an option that may be just the choice's name. */
export function detectorSettings(option: DetectorChoice | DetectorOptions | undefined): DetectorOptions {
  return typeof option === 'string' ? { kind: option } : (option ?? {});
}

/** Loads the detectors `options.kind` needs (default `accurate`; `auto`: both), behind one that chooses per picture; sets up the default engine first if none is (see initEngine). */
export async function loadDetector(options: DetectorOptions = {}): Promise<ChoosingDetector> {
  const { kind = 'accurate', ...rest } = options;
  // the detectors run on TensorFlow.js: set up the default engine when the caller has not (initEngine)
  if (!tf.engine().backendName) await initEngine();
  const detectors: { fast?: Detector; accurate?: Detector } = {};
  try {
    if (kind !== 'accurate')
      detectors.fast = await loadBlazeFace({
        ...(rest.minConfidence !== undefined ? { minConfidence: rest.minConfidence } : {}),
        ...(rest.maxFaces !== undefined ? { maxFaces: rest.maxFaces } : {}),
      });
    if (kind !== 'fast') detectors.accurate = await loadFaceDetector(rest);
  } catch (err) {
    detectors.fast?.dispose();
    detectors.accurate?.dispose();
    throw err;
  }
  return new ChoosingDetector(detectors, kind);
}
