/** The face detectors in Node: fast (BlazeFace), accurate (SSD-MobileNet) or both, with the weights installed with ferkit. */
import { ChoosingDetector } from '../core/face/choice.js';
import type { Detector, DetectorChoice, DetectorOptions } from '../core/face/detector.js';
import { loadOnnxBlazeFace, loadOnnxSsd } from './onnx-detectors.js';

/** Detector settings from an option that may be just the choice's name. */
export function detectorSettings(option: DetectorChoice | DetectorOptions | undefined): DetectorOptions {
  return typeof option === 'string' ? { kind: option } : (option ?? {});
}

/** Loads the detectors `options.kind` needs (default `auto`: both; see face/choice.ts), on ONNX Runtime, behind one that chooses per picture. */
export async function loadDetector(options: DetectorOptions = {}): Promise<ChoosingDetector> {
  const { kind = 'auto', ...rest } = options;
  const detectors: { fast?: Detector; accurate?: Detector } = {};
  try {
    if (kind !== 'accurate')
      detectors.fast = await loadOnnxBlazeFace({
        ...(rest.minConfidence !== undefined ? { minConfidence: rest.minConfidence } : {}),
        ...(rest.maxFaces !== undefined ? { maxFaces: rest.maxFaces } : {}),
      });
    if (kind !== 'fast') detectors.accurate = await loadOnnxSsd(rest);
  } catch (err) {
    detectors.fast?.dispose();
    detectors.accurate?.dispose();
    throw err;
  }
  return new ChoosingDetector(detectors, kind);
}
