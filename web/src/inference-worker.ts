/**
 * The page's inference worker: the engine, the emotion model and the face
 * detectors live here, off the page's main thread. Webcam frames and photos
 * arrive as transferred ImageBitmaps; their pixels are read on an
 * OffscreenCanvas; the answers go back with each stage's time. The page
 * sends a frame only when the worker is idle: nothing queues here.
 */
import * as tf from '@tensorflow/tfjs';
import {
  assembleRecognizer,
  atWorkingSize,
  BLAZEFACE_BACK,
  BLAZEFACE_FRONT,
  BlazeFaceDetector,
  browserOnnxClassifier,
  DEFAULT_UNCERTAIN_BELOW,
  type DetectedFace,
  type Detector,
  type Emotion,
  EMOTIONS,
  faceCrops,
  type FaceEmotion,
  FaceFollower,
  faceInputs,
  initBrowserEngine,
  loadBrowserDetector,
  loadBrowserOnnxBlazeFace,
  loadBrowserOnnxDetector,
  loadGraphModelFrom,
  loadModelFrom,
  type PixelRecognizer,
  rankEmotions,
  rawToRgb,
  type RgbImage,
  urlFiles,
  wasmThreads,
} from '../../src/browser/index.js';
import { DEFAULT_RUNTIMES, wallClock, type EngineChoice, type EngineReport, type FromWorker, type ToWorker, type Runtime } from './worker-protocol.js';

/** Where `ferkit serve` puts the models and the WebAssembly files. */
const SERVED = {
  modelUrl: '/model/',
  detectorUrl: '/face-api/',
  blazefaceUrl: '/blazeface/',
  onnxUrl: '/onnx/',
  tfjsWasm: '/tfjs-wasm/',
  ortWasm: '/ort-wasm/',
} as const;
/** ONNX Runtime's WebAssembly threads at most (more gain little for networks this small). */
const MAX_THREADS = 4;

interface Loaded {
  choice: EngineChoice;
  /** The emotion network (its preprocessing and calibration), without a detector: faces come from below. */
  emotions: PixelRecognizer;
  /** BlazeFace's 128x128 front model (or the 256x256 back one), for the webcam. */
  webcam: Detector;
  /** The photo's detectors (BlazeFace's back model and SSD-MobileNet), loaded with the first photo. */
  photo?: Promise<Detector>;
  /** What runs the photo's detectors. */
  photoRuntime: Runtime;
  /** ONNX Runtime's threads, the same for everything it runs. */
  ortThreads: number;
  report: EngineReport;
}

const post = (message: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

let loaded: Promise<Loaded> | undefined;
/** Milliseconds spent in the current frame's detection, crops and emotion model (the follower calls them as it needs). */
const frameStages = { detection: 0, crops: 0, emotion: 0 };

/**
 * Detect, then track, with the library's follower (src/core/track/, as `ferkit
 * video` does): BlazeFace on a schedule (every 0.1 s, about every third
 * frame of a 30 frames/s camera) and when the picture changes, faces
 * followed by their picture in between, emotions read up to 10 times a
 * second and smoothed.
 */
let follower: FaceFollower | undefined;
function followerFor(l: Loaded): FaceFollower {
  follower ??= new FaceFollower(
    {
      detect: async (img) => {
        const t0 = performance.now();
        const faces = await l.webcam.detect(img);
        frameStages.detection += performance.now() - t0;
        return faces;
      },
      recognizeFaces: async (img, faces) => {
        const r = await emotionsOf(l, img, faces);
        frameStages.crops += r.crops;
        frameStages.emotion += r.emotion;
        return r.faces;
      },
    },
    { detectEvery: 0.1, smoothing: 0.3 },
  );
  return follower;
}
const canvas = new OffscreenCanvas(1, 1);
const context = canvas.getContext('2d', { willReadFrequently: true });

async function load(choice: EngineChoice): Promise<Loaded> {
  const started = performance.now();
  post({ type: 'loading', engine: choice });
  // ONNX Runtime's threads, set explicitly: the cores the browser reports, at most 4, on a cross-origin-isolated page, else 1
  const ortThreads = Math.min(choice.threads ?? MAX_THREADS, wasmThreads(MAX_THREADS));
  const ort = { wasmPaths: SERVED.ortWasm, threads: ortThreads };
  const webcamRuntime = choice.webcamRuntime ?? DEFAULT_RUNTIMES.webcam;
  const photoRuntime = choice.photoRuntime ?? DEFAULT_RUNTIMES.photo;
  // TensorFlow.js's WebAssembly threads cannot start in a bundled page (their workers rebuild the engine from
  // its minified source, which fails): it runs on one thread, set explicitly; ONNX Runtime Web gets the threads
  const engine = await initBrowserEngine({ backend: choice.backend, wasmPaths: SERVED.tfjsWasm, threads: 1 });
  const layout = choice.webcamDetector === 'back' ? BLAZEFACE_BACK : BLAZEFACE_FRONT;
  const loadWebcam = async (): Promise<Detector> =>
    webcamRuntime === 'onnx'
      ? loadBrowserOnnxBlazeFace(SERVED.onnxUrl, { ...ort, layout, maxFaces: 10 })
      : BlazeFaceDetector.create(await loadGraphModelFrom(urlFiles(SERVED.blazefaceUrl), layout.file), { layout, maxFaces: 10 });
  const [{ model, meta }, webcam] = await Promise.all([loadModelFrom(urlFiles(SERVED.modelUrl)), loadWebcam()]);
  const classifier = choice.runtime === 'onnx' ? await browserOnnxClassifier(model, meta, ort) : undefined;
  const emotions = assembleRecognizer({ ...(classifier ? { classifier } : { model }), meta, engine });
  // one pass of each network on a blank frame: the engine compiles its kernels now, not on the first face
  const blank: RgbImage = { data: new Uint8Array(640 * 480 * 3), width: 640, height: 480 };
  await webcam.detect(blank);
  await emotions.classify(new Uint8Array(48 * 48));
  const report: EngineReport = {
    backend: engine.backend,
    runtime: choice.runtime,
    webcamRuntime,
    photoRuntime,
    threads: 1,
    ortThreads,
    crossOriginIsolated: self.crossOriginIsolated,
    reason: engine.reason,
    architecture: meta.architecture,
    loadMs: performance.now() - started,
  };
  return { choice, emotions, webcam, photoRuntime, ortThreads, report };
}

/**
 * The photo's detectors, as `ferkit predict` has them by default (`auto`:
 * BlazeFace 256x256, and SSD-MobileNet with its landmarks unless every face
 * is a close-up), at a bounded working size.
 */
async function loadPhotoDetector(l: Loaded): Promise<Detector> {
  const detector =
    l.photoRuntime === 'onnx'
      ? await loadBrowserOnnxDetector(SERVED.onnxUrl, { kind: 'auto', wasmPaths: SERVED.ortWasm, threads: l.ortThreads })
      : await faceApiInWorker().then(() => loadBrowserDetector({ detectorUrl: SERVED.detectorUrl, fastDetectorUrl: SERVED.blazefaceUrl }, { kind: 'auto' }));
  return atWorkingSize(detector);
}

function dispose(l: Loaded): void {
  l.emotions.dispose();
  l.webcam.dispose();
  void l.photo?.then((d) => d.dispose()).catch(() => undefined);
}

/** The engine for `choice`, loaded once (and again when the choice changes). */
async function engineFor(choice: EngineChoice): Promise<Loaded> {
  const current = loaded && (await loaded.catch(() => undefined));
  if (
    current &&
    current.choice.backend === choice.backend &&
    current.choice.runtime === choice.runtime &&
    current.choice.webcamRuntime === choice.webcamRuntime &&
    current.choice.photoRuntime === choice.photoRuntime &&
    current.choice.threads === choice.threads &&
    current.choice.webcamDetector === choice.webcamDetector
  )
    return current;
  if (current) dispose(current);
  loaded = load(choice);
  const l = await loaded;
  post({ type: 'ready', engine: l.report });
  return l;
}

/** The bitmap's pixels as RGB; the bitmap is closed. */
function pixelsOf(bitmap: ImageBitmap): RgbImage {
  const { width, height } = bitmap;
  if (!context) throw new Error('this browser gives workers no 2D canvas to read pixels with');
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const { data } = context.getImageData(0, 0, width, height);
  return rawToRgb({ data, width, height, channels: 4 });
}

/** A row of probabilities as a face and its emotions (as the library's recognizer reports them). */
function faceEmotion(probs: Float32Array, offset: number, labels: readonly string[], face: DetectedFace, roll: number): FaceEmotion {
  const emotions = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  labels.forEach((label, k) => (emotions[label as Emotion] = probs[offset + k]));
  const top = rankEmotions(emotions);
  return {
    box: face.box,
    score: face.score,
    emotions,
    emotion: top[0].label,
    confidence: top[0].score,
    top,
    uncertain: top[0].score < DEFAULT_UNCERTAIN_BELOW,
    ...(face.eyes ? { eyes: face.eyes } : {}),
    roll,
  };
}

/** The faces' emotions, with the time spent cutting them and running the network. */
async function emotionsOf(l: Loaded, img: RgbImage, faces: readonly DetectedFace[]): Promise<{ faces: FaceEmotion[]; crops: number; emotion: number }> {
  if (faces.length === 0) return { faces: [], crops: 0, emotion: 0 };
  const t0 = performance.now();
  const geometry = faceCrops(img, faces);
  const bytes = faceInputs(img, geometry);
  const t1 = performance.now();
  const probs = await l.emotions.classify(bytes);
  const t2 = performance.now();
  const labels = l.emotions.meta.labels;
  return {
    faces: faces.map((f, k) => faceEmotion(probs, k * labels.length, labels, f, (geometry[k].angle * 180) / Math.PI)),
    crops: t1 - t0,
    emotion: t2 - t1,
  };
}

async function onFrame(l: Loaded, message: Extract<ToWorker, { type: 'frame' }>): Promise<void> {
  const received = wallClock();
  const t0 = performance.now();
  const img = pixelsOf(message.bitmap);
  const t1 = performance.now();
  Object.assign(frameStages, { detection: 0, crops: 0, emotion: 0 });
  const frame = await followerFor(l).next(img, message.capturedAt / 1000);
  const { detection, crops, emotion } = frameStages;
  const faces = frame.faces;
  const detect = frame.search !== null;
  post({
    type: 'frame',
    seq: message.seq,
    width: img.width,
    height: img.height,
    faces,
    detected: detect,
    stages: { capture: received - message.capturedAt, pixels: t1 - t0, detection, crops, emotion },
    postedAt: wallClock(),
    tensors: tf.memory().numTensors,
  });
}

/**
 * face-api.js (the photo's accurate detector) looks for a browser page's
 * globals; a worker has OffscreenCanvas instead. Its networks take tensors
 * here, so these stand-ins are never drawn on.
 */
async function faceApiInWorker(): Promise<void> {
  const faceApi = (await import('@vladmandic/face-api/dist/face-api.esm-nobundle.js')) as unknown as {
    env: { isBrowser(): boolean; setEnv(env: Record<string, unknown>): void };
  };
  if (faceApi.env.isBrowser()) return;
  class Unavailable {}
  faceApi.env.setEnv({
    Canvas: OffscreenCanvas,
    CanvasRenderingContext2D: OffscreenCanvasRenderingContext2D,
    Image: Unavailable,
    ImageData,
    Video: Unavailable,
    createCanvasElement: () => new OffscreenCanvas(1, 1),
    createImageElement: () => new Unavailable(),
    fetch: (url: string, init?: RequestInit) => fetch(url, init),
  });
}

async function onPhoto(l: Loaded, message: Extract<ToWorker, { type: 'photo' }>): Promise<void> {
  const started = performance.now();
  l.photo ??= loadPhotoDetector(l);
  // a failed load is tried again with the next photo
  l.photo.catch(() => (l.photo = undefined));
  const detector = await l.photo;
  const img = pixelsOf(message.bitmap);
  const { faces } = await emotionsOf(l, img, await detector.detect(img));
  post({
    type: 'photo',
    id: message.id,
    width: img.width,
    height: img.height,
    faces,
    milliseconds: performance.now() - started,
    detectors: l.photoRuntime,
  });
}

let choice: EngineChoice = { backend: 'auto', runtime: 'tfjs' };

self.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  const fail = (err: unknown, during: 'load' | 'frame' | 'photo', id?: number) =>
    post({ type: 'error', message: err instanceof Error ? err.message : String(err), during, ...(id !== undefined ? { id } : {}) });
  switch (message.type) {
    case 'load':
      choice = message.engine;
      engineFor(choice).catch((err: unknown) => fail(err, 'load'));
      break;
    case 'restart':
      follower?.reset();
      break;
    case 'frame':
      engineFor(choice)
        .then((l) => onFrame(l, message))
        .catch((err: unknown) => {
          message.bitmap.close();
          fail(err, 'frame');
        });
      break;
    case 'photo':
      engineFor(choice)
        .then((l) => onPhoto(l, message))
        .catch((err: unknown) => {
          message.bitmap.close();
          fail(err, 'photo', message.id);
        });
      break;
  }
});
