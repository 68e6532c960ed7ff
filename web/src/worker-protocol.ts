/**
 * What the page and its inference worker say to each other. The page sends
 * webcam frames and photos as transferred ImageBitmaps; the worker answers
 * with the faces and how long each stage took.
 */
import { type BrowserBackend, type FaceEmotion } from '../../src/browser/index.js';

/** What runs a network: TensorFlow.js (on the chosen backend) or ONNX Runtime Web (WebAssembly). */
export type Runtime = 'tfjs' | 'onnx';

/**
 * What runs each part by default, the faster in the page's worker
 * (`npm run bench:webcam`, docs/web.md): the emotion network, the webcam's
 * BlazeFace, and the photos' detectors (BlazeFace and SSD-MobileNet).
 */
export const DEFAULT_RUNTIMES: { readonly emotions: Runtime; readonly webcam: Runtime; readonly photo: Runtime } = {
  emotions: 'tfjs',
  webcam: 'tfjs',
  photo: 'tfjs',
};

export interface EngineChoice {
  backend: BrowserBackend;
  /** The emotion network's runtime. */
  runtime: Runtime;
  /** The webcam's face detector's runtime; default `DEFAULT_RUNTIMES.webcam`. */
  webcamRuntime?: Runtime;
  /** The photos' face detectors' runtime; default `DEFAULT_RUNTIMES.photo`. */
  photoRuntime?: Runtime;
  /** ONNX Runtime's WebAssembly threads at most; default 4 (the cores the browser reports, on a cross-origin-isolated page, else 1). */
  threads?: number;
  /** The webcam's BlazeFace: `front` (128x128, the default) or `back` (256x256: smaller faces, four times the work). */
  webcamDetector?: 'front' | 'back';
}

/** Milliseconds spent in each stage of one webcam frame. */
export interface FrameStages {
  /** From the video frame's callback to the worker holding its bitmap (createImageBitmap, transfer, waiting in the message queue). */
  capture: number;
  /** The bitmap drawn on the worker's OffscreenCanvas and its RGB pixels read. */
  pixels: number;
  /** The face detector (on detection frames) or the followed boxes moved on (in between). */
  detection: number;
  /** Faces cut, levelled and turned grey 48x48. */
  crops: number;
  /** The emotion network, its probabilities read back from the engine. */
  emotion: number;
}

export type ToWorker =
  | { type: 'load'; engine: EngineChoice }
  /** A webcam frame; `capturedAt` is `performance.timeOrigin + performance.now()` at its frame callback. */
  | { type: 'frame'; seq: number; bitmap: ImageBitmap; capturedAt: number }
  /** A new webcam session: faces followed so far are forgotten. */
  | { type: 'restart' }
  | { type: 'photo'; id: number; bitmap: ImageBitmap };

/** What the worker runs on, for the page's status. */
export interface EngineReport {
  /** The TensorFlow.js backend (what runs on `tfjs`). */
  backend: string;
  /** The emotion network's runtime. */
  runtime: Runtime;
  /** The webcam's face detector's runtime. */
  webcamRuntime: Runtime;
  /** The photos' face detectors' runtime (they load with the first photo). */
  photoRuntime: Runtime;
  /** TensorFlow.js's WebAssembly threads (one: its threaded build does not survive bundling). */
  threads: number;
  /**
   * ONNX Runtime Web's WebAssembly threads, set explicitly: the cores the
   * browser reports, at most 4, on a cross-origin-isolated page, else 1.
   */
  ortThreads: number;
  crossOriginIsolated: boolean;
  reason: string;
  architecture: string;
  /** Milliseconds from the worker's start to its models being ready. */
  loadMs: number;
}

export type FromWorker =
  | { type: 'loading'; engine: EngineChoice }
  | { type: 'ready'; engine: EngineReport }
  | {
      type: 'frame';
      seq: number;
      width: number;
      height: number;
      faces: FaceEmotion[];
      /** Whether the detector ran on this frame (else its faces were followed from earlier ones). */
      detected: boolean;
      stages: FrameStages;
      /** `performance.timeOrigin + performance.now()` when the worker posted this. */
      postedAt: number;
      /** Tensors alive in the worker's TensorFlow.js. */
      tensors: number;
    }
  | {
      type: 'photo';
      id: number;
      width: number;
      height: number;
      faces: FaceEmotion[];
      milliseconds: number;
      /** What ran the photo's face detectors. */
      detectors: Runtime;
    }
  /** `id` of the photo that failed; absent for a frame or for loading. */
  | { type: 'error'; message: string; id?: number; during: 'load' | 'frame' | 'photo' };

/** The same clock in the page and in its worker (their own `performance.now()` start at different times). */
export const wallClock = (): number => performance.timeOrigin + performance.now();
