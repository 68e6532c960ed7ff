/**
 * The page: a photo (chosen or dropped) or the webcam, its faces boxed and
 * labelled with seven bars each, and the session's timeline, exported as
 * CSV or JSON. Recognition runs in this browser; photos may go to the
 * server that served the page instead.
 */
import { InferenceClient, type FrameAnswer } from './engine-client.js';
import { drawBoxes, showCards } from './faces-view.js';
import { RateMeter, onVideoFrames, startCamera, stopCamera } from './camera.js';
import { recognizeOnServer } from './server-api.js';
import { Session, download } from './session.js';
import { StageTimes } from './stage-times.js';
import { describe, drawTimeline, personTimelines } from './timeline.js';
import { DEFAULT_RUNTIMES, wallClock, type EngineChoice, type EngineReport, type Runtime } from './worker-protocol.js';
import { type BrowserBackend, EMOTION_COLOURS, type FaceRecord, pictureRecord } from '../../src/browser/index.js';

function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as T;
}

const ui = {
  photoInput: byId<HTMLInputElement>('photo-input'),
  onServer: byId<HTMLInputElement>('on-server'),
  cameraButton: byId<HTMLButtonElement>('camera-button'),
  backend: byId<HTMLSelectElement>('backend'),
  runtime: byId<HTMLSelectElement>('runtime'),
  message: byId<HTMLParagraphElement>('message'),
  stage: byId<HTMLDivElement>('stage'),
  hint: byId<HTMLParagraphElement>('stage-hint'),
  photo: byId<HTMLImageElement>('photo'),
  video: byId<HTMLVideoElement>('video'),
  overlay: byId<HTMLCanvasElement>('overlay'),
  status: byId<HTMLSpanElement>('status'),
  fps: byId<HTMLOutputElement>('fps'),
  faces: byId<HTMLOListElement>('faces'),
  noFaces: byId<HTMLParagraphElement>('no-faces'),
  timeline: byId<HTMLCanvasElement>('timeline'),
  legend: byId<HTMLUListElement>('legend'),
  summary: byId<HTMLParagraphElement>('timeline-summary'),
  exportCsv: byId<HTMLButtonElement>('export-csv'),
  exportJson: byId<HTMLButtonElement>('export-json'),
  clearSession: byId<HTMLButtonElement>('clear-session'),
};

/** The page's state: the inference worker, the camera and the session. */
const app = {
  client: undefined as unknown as InferenceClient,
  stream: undefined as MediaStream | undefined,
  /** Stops the running webcam loop's frame callbacks. */
  stopLoop: undefined as (() => void) | undefined,
  /** Which webcam session the answers belong to: a stop and a quick restart ignore the old session's last answer. */
  generation: 0,
  rate: new RateMeter(),
  stages: new StageTimes(),
  session: new Session(performance.now()),
  photoUrl: undefined as string | undefined,
  firstResult: false,
  lastTimeline: 0,
  lastCards: 0,
  model: '',
  engine: '',
  architecture: '',
};

/**
 * For comparing speeds, the page's address may ask for `?threads=N` (at most
 * N ONNX Runtime threads), `?runtime=onnx|tfjs` (the emotion network),
 * `?webcam=onnx|tfjs` and `?photo=onnx|tfjs` (the face detectors) and
 * `?detector=back` (the 256x256 BlazeFace for the webcam).
 */
const asked = new URLSearchParams(location.search);
const askedThreads = Number(asked.get('threads')) || undefined;
const askedRuntime = (name: string): Runtime | undefined => {
  const value = asked.get(name);
  return value === 'onnx' || value === 'tfjs' ? value : undefined;
};
ui.runtime.value = askedRuntime('runtime') ?? DEFAULT_RUNTIMES.emotions;
const choice = (): EngineChoice => ({
  backend: ui.backend.value as BrowserBackend,
  runtime: ui.runtime.value as Runtime,
  webcamRuntime: askedRuntime('webcam') ?? DEFAULT_RUNTIMES.webcam,
  photoRuntime: askedRuntime('photo') ?? DEFAULT_RUNTIMES.photo,
  ...(askedThreads ? { threads: askedThreads } : {}),
  ...(asked.get('detector') === 'back' ? { webcamDetector: 'back' as const } : {}),
});

/**
 * The engines in words: "TensorFlow.js wasm, 1 thread (emotions, webcam
 * detector); ONNX Runtime, 2 threads (photo detectors)".
 */
function engineWords(r: EngineReport): string {
  const threads = (n: number) => (n === 1 ? '1 thread' : `${n} threads`);
  const parts = (runtime: Runtime) =>
    [r.runtime === runtime && 'emotions', r.webcamRuntime === runtime && 'webcam detector', r.photoRuntime === runtime && 'photo detectors'].filter(
      (p): p is string => Boolean(p),
    );
  const tfjs = parts('tfjs'),
    onnx = parts('onnx');
  const words = [
    ...(tfjs.length ? [`TensorFlow.js ${r.backend}, ${threads(r.threads)} (${tfjs.join(', ')})`] : []),
    ...(onnx.length ? [`ONNX Runtime, ${threads(r.ortThreads)} (${onnx.join(', ')})`] : []),
  ];
  return `${words.join('; ')}${r.crossOriginIsolated ? '' : '; not cross-origin isolated, so one thread'}`;
}

function noteEngine(r: EngineReport): void {
  app.engine = `${r.backend}${r.runtime === 'onnx' ? '+onnx' : ''}`;
  app.architecture = r.architecture;
  ui.status.title = r.reason;
  ui.status.dataset.threads = String(r.threads);
  ui.status.dataset.ortThreads = String(r.ortThreads);
  ui.status.dataset.emotions = r.runtime;
  ui.status.dataset.webcamDetector = r.webcamRuntime;
  ui.status.dataset.photoDetectors = r.photoRuntime;
  ui.status.dataset.isolated = String(r.crossOriginIsolated);
}

function setStatus(text: string): void {
  ui.status.textContent = text;
}

function showMessage(text: string | undefined): void {
  ui.message.textContent = text ?? '';
  ui.message.hidden = !text;
}

function markFirstResult(): void {
  if (app.firstResult) return;
  app.firstResult = true;
  performance.mark('ferkit:first-result');
}

function showFaces(faces: readonly FaceRecord[], width: number, height: number): void {
  drawBoxes(ui.overlay, width, height, faces);
  showCards(ui.faces, ui.noFaces, faces);
  markFirstResult();
}

function enableExports(): void {
  const empty = app.session.entries.length === 0;
  for (const b of [ui.exportCsv, ui.exportJson, ui.clearSession]) b.disabled = empty;
}

// ---- photos ----

async function loadImage(file: Blob): Promise<void> {
  if (app.photoUrl) URL.revokeObjectURL(app.photoUrl);
  app.photoUrl = URL.createObjectURL(file);
  ui.photo.src = app.photoUrl;
  await ui.photo.decode();
}

async function recognizePhoto(file: File): Promise<void> {
  if (!file.type.startsWith('image/')) {
    showMessage(`${file.name} is not a picture; choose a JPEG, PNG or WebP photo.`);
    return;
  }
  showMessage(undefined);
  await stopWebcam();
  try {
    await loadImage(file);
  } catch {
    showMessage(`${file.name} could not be read as a picture.`);
    return;
  }
  ui.video.hidden = true;
  ui.photo.hidden = false;
  ui.hint.hidden = true;
  const { naturalWidth: width, naturalHeight: height } = ui.photo;
  drawBoxes(ui.overlay, width, height, []);
  ui.stage.dataset.source = 'photo';
  try {
    let faces: FaceRecord[];
    if (ui.onServer.checked) {
      setStatus('Sending the photo to the server…');
      const answer = await recognizeOnServer(file);
      faces = answer.faces;
      app.model = answer.model;
      setStatus(`Recognised on the server in ${Math.round(answer.milliseconds)} ms (model ${answer.model}).`);
    } else {
      const started = performance.now();
      const found = await app.client.recognizePhoto(await createImageBitmap(ui.photo));
      faces = pictureRecord(file.name, found.faces).faces;
      const engine = app.client.report;
      const ms = performance.now() - started;
      ui.status.dataset.photoMs = ms.toFixed(1);
      // what ran the photo's detectors, as the worker tells it
      ui.status.dataset.photoRan = found.detectors;
      setStatus(`Recognised in this browser in ${Math.round(ms)} ms${engine ? ` (${engineWords(engine)})` : ''}.`);
    }
    ui.stage.dataset.where = ui.onServer.checked ? 'server' : 'browser';
    showFaces(faces, width, height);
    app.session.addPhoto(performance.now(), file.name, faces);
    enableExports();
  } catch (err) {
    setStatus('');
    showMessage(`The photo could not be recognised: ${(err as Error).message}`);
  }
}

ui.photoInput.addEventListener('change', () => {
  const file = ui.photoInput.files?.[0];
  if (file) void recognizePhoto(file);
  ui.photoInput.value = '';
});

ui.stage.addEventListener('dragover', (event) => {
  event.preventDefault();
  ui.stage.classList.add('dragging');
});
ui.stage.addEventListener('dragleave', () => ui.stage.classList.remove('dragging'));
ui.stage.addEventListener('drop', (event) => {
  event.preventDefault();
  ui.stage.classList.remove('dragging');
  const file = event.dataTransfer?.files[0];
  if (file) void recognizePhoto(file);
});
// the drop zone opens the file chooser from the keyboard too
ui.stage.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    ui.photoInput.click();
  }
});

// ---- the webcam ----

async function startWebcam(): Promise<void> {
  showMessage(undefined);
  ui.cameraButton.disabled = true;
  try {
    app.stream = await startCamera(ui.video);
  } catch (err) {
    showMessage((err as Error).message);
    ui.cameraButton.disabled = false;
    return;
  }
  ui.photo.hidden = true;
  ui.video.hidden = false;
  ui.hint.hidden = true;
  ui.stage.dataset.source = 'webcam';
  ui.cameraButton.disabled = false;
  ui.cameraButton.textContent = 'Stop the webcam';
  ui.cameraButton.setAttribute('aria-pressed', 'true');
  app.rate.reset();
  app.stages.reset();
  ui.fps.hidden = false;
  ui.fps.dataset.frames = '0';
  startLoop(++app.generation);
}

async function stopWebcam(): Promise<void> {
  if (!app.stream) return;
  app.generation++;
  app.stopLoop?.();
  app.stopLoop = undefined;
  stopCamera(ui.video, app.stream);
  app.stream = undefined;
  ui.cameraButton.textContent = 'Start the webcam';
  ui.cameraButton.setAttribute('aria-pressed', 'false');
  ui.fps.hidden = true;
  setStatus('The webcam is off.');
  enableExports();
}

/**
 * The webcam loop: at each camera frame the page counts it and, when the
 * worker is idle, sends it a bitmap of the frame; a frame that comes while
 * the worker is busy is dropped (its successor is sent as soon as the
 * worker answers). The video plays at the camera's rate whatever the
 * worker's speed; the overlay shows the latest answer.
 */
function startLoop(generation: number): void {
  const live = () => app.generation === generation && app.stream !== undefined;
  let seq = 0;
  let frames = 0;
  /** A camera frame came while the worker was busy. */
  let waiting = false;
  app.client.restart();

  async function send(): Promise<void> {
    if (!app.client.reserve()) {
      waiting = true;
      return;
    }
    waiting = false;
    const capturedAt = wallClock();
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(ui.video);
    } catch {
      app.client.release();
      return;
    }
    if (!live()) {
      bitmap.close();
      app.client.release();
      return;
    }
    app.client.sendFrame(bitmap, seq++, capturedAt);
  }

  onAnswer = (answer: FrameAnswer) => {
    if (!live()) return;
    const started = performance.now();
    const now = started;
    const records = app.session.addFrame(now, answer.faces);
    drawBoxes(ui.overlay, answer.width, answer.height, records);
    // the cards are text: a few times a second is all a reader can follow
    if (frames === 0 || now - app.lastCards > 200) {
      app.lastCards = now;
      showCards(ui.faces, ui.noFaces, records);
    }
    markFirstResult();
    frames++;
    const fps = app.rate.tick(now);
    ui.fps.value = `${fps.toFixed(1)} frames/s recognised (video ${videoFps.toFixed(0)} frames/s)`;
    ui.fps.dataset.fps = fps.toFixed(2);
    ui.fps.dataset.frames = String(frames);
    ui.fps.dataset.tensors = String(answer.tensors);
    if (frames === 1 && app.client.report) setStatus(`Live, in this browser (${engineWords(app.client.report)}); the video stays on this device.`);
    // this frame's stages counted before the medians are shown: the first shown already has one frame
    app.stages.add({ ...answer.stages, readBack: answer.readBack, drawing: performance.now() - started }, answer.detected, answer.faces.length);
    if (now - app.lastTimeline > 250) {
      updateTimeline(now);
      ui.fps.dataset.stages = JSON.stringify(app.stages.medians());
    }
    if (waiting) void send();
  };

  let videoFps = 0;
  const videoMeter = new RateMeter();
  app.stopLoop = onVideoFrames(ui.video, () => {
    if (!live()) return;
    videoFps = videoMeter.tick(performance.now());
    ui.fps.dataset.videoFps = videoFps.toFixed(2);
    void send();
  });
}

/** Where the worker's webcam answers go (the running loop's handler). */
let onAnswer: (answer: FrameAnswer) => void = () => undefined;

ui.cameraButton.addEventListener('click', () => void (app.stream ? stopWebcam() : startWebcam()));

for (const select of [ui.backend, ui.runtime])
  select.addEventListener('change', () => {
    // the worker loads the engine chosen now; frames and photos wait for it
    app.client.load(choice());
  });

// ---- the timeline and the exports ----

function updateTimeline(now: number): void {
  app.lastTimeline = now;
  const people = personTimelines(app.session.entries, app.session.elapsed(now));
  drawTimeline(ui.timeline, people);
  const text = describe(people);
  ui.timeline.setAttribute('aria-label', `Emotions over the last minute. ${text}`);
  ui.summary.textContent = text;
  ui.timeline.dataset.frames = String(people.reduce((n, p) => n + p.frames, 0));
  enableExports();
}

ui.legend.replaceChildren(
  ...Object.entries(EMOTION_COLOURS).map(([emotion, colour]) => {
    const li = document.createElement('li');
    li.textContent = emotion;
    li.style.setProperty('--colour', colour);
    return li;
  }),
);

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');
const about = () => ({ ferkit: 'web', engine: app.engine || undefined, architecture: app.architecture || undefined, serverModel: app.model || undefined });

ui.exportCsv.addEventListener('click', () => download(`ferkit-session-${stamp()}.csv`, 'text/csv', app.session.toCsv()));
ui.exportJson.addEventListener('click', () => download(`ferkit-session-${stamp()}.json`, 'application/json', app.session.toJson(about())));
ui.clearSession.addEventListener('click', () => {
  app.session = new Session(performance.now());
  updateTimeline(performance.now());
  enableExports();
});

window.addEventListener('resize', () => updateTimeline(performance.now()));
window.addEventListener('pagehide', () => {
  void stopWebcam();
});

// the worker loads the engine and the models as the page opens: the webcam's first frame finds them ready
app.client = new InferenceClient({
  loading: (c) => setStatus(`Loading the models (${c.backend === 'auto' ? 'picking the fastest engine' : c.backend})…`),
  ready: (r) => {
    noteEngine(r);
    setStatus(
      app.stream
        ? `Live, in this browser (${engineWords(r)}); the video stays on this device.`
        : `Ready: recognition runs in this browser (${engineWords(r)}).`,
    );
  },
  frame: (answer) => onAnswer(answer),
  failed: (message, during) => {
    if (during === 'load') setStatus('');
    showMessage(during === 'load' ? `The models could not be loaded: ${message}` : `The webcam's frames could not be recognised: ${message}`);
    if (during === 'frame') void stopWebcam();
  },
});
app.client.load(choice());
updateTimeline(performance.now());
