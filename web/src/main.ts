/**
 * The page: a photo (chosen or dropped) or the webcam, its faces boxed and
 * labelled with seven bars each, and the session's timeline, exported as
 * CSV or JSON. Recognition runs in this browser; photos may go to the
 * server that served the page instead.
 */
import { pictureRecord, type FaceRecord } from '../../src/results.js';
import { liveTensors, recognizerPool } from './engine-pool.js';
import { drawBoxes, showCards } from './faces-view.js';
import { RateMeter, nextVideoFrame, startCamera, stopCamera } from './camera.js';
import { recognizeOnServer } from './server-api.js';
import { Session, download } from './session.js';
import { describe, drawTimeline, personTimelines } from './timeline.js';
import { EMOTION_COLOURS, type BrowserBackend, type BrowserRecognizer } from '../../src/browser/index.js';

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

/** The page's state: the one recognizer, the camera and the session. */
const app = {
  pool: recognizerPool((backend) => setStatus(`Loading the models (${backend === 'auto' ? 'picking the fastest engine' : backend})…`)),
  stream: undefined as MediaStream | undefined,
  running: false,
  /** Which webcam session the running loop belongs to: a stop and a quick restart leave one loop, not two. */
  generation: 0,
  rate: new RateMeter(),
  session: new Session(performance.now()),
  photoUrl: undefined as string | undefined,
  firstResult: false,
  lastTimeline: 0,
  model: '',
  engine: '',
  architecture: '',
};

const backend = () => ui.backend.value as BrowserBackend;

/** Notes the engine in use; true when it changed (a new recognizer). */
function noteEngine(r: BrowserRecognizer): boolean {
  const changed = app.engine !== r.engine.backend;
  app.engine = r.engine.backend;
  app.architecture = r.meta.architecture;
  ui.status.title = r.engine.reason;
  return changed;
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
      const found = await app.pool.run(backend(), async (r) => {
        noteEngine(r);
        return r.recognize(ui.photo);
      });
      faces = pictureRecord(file.name, found).faces;
      setStatus(`Recognised in this browser in ${Math.round(performance.now() - started)} ms (${app.engine}).`);
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
  app.running = true;
  app.rate.reset();
  ui.fps.hidden = false;
  void webcamLoop(++app.generation);
}

async function stopWebcam(): Promise<void> {
  if (!app.stream) return;
  app.running = false;
  app.generation++;
  stopCamera(ui.video, app.stream);
  app.stream = undefined;
  ui.cameraButton.textContent = 'Start the webcam';
  ui.cameraButton.setAttribute('aria-pressed', 'false');
  ui.fps.hidden = true;
  setStatus('The webcam is off.');
}

async function webcamLoop(generation: number): Promise<void> {
  let frames = 0;
  const live = () => app.running && app.generation === generation;
  while (live()) {
    try {
      let fresh = false;
      const faces = await app.pool.run(backend(), async (r) => {
        if (!live()) return undefined;
        fresh = noteEngine(r);
        // live video: the fast face detector (BlazeFace) on every frame
        return r.recognize(ui.video, { detector: 'fast' });
      });
      if (!faces || !live()) break;
      const now = performance.now();
      const records = app.session.addFrame(now, faces);
      showFaces(records, ui.video.videoWidth, ui.video.videoHeight);
      const fps = app.rate.tick(now);
      frames++;
      ui.fps.value = `${fps.toFixed(1)} frames/s`;
      ui.fps.dataset.fps = fps.toFixed(2);
      ui.fps.dataset.frames = String(frames);
      ui.fps.dataset.tensors = String(liveTensors());
      if (frames === 1 || fresh) setStatus(`Live, in this browser (${app.engine}); the video stays on this device.`);
      if (now - app.lastTimeline > 250) updateTimeline(now);
    } catch (err) {
      showMessage(`The webcam's frames could not be recognised: ${(err as Error).message}`);
      await stopWebcam();
      break;
    }
    await nextVideoFrame(ui.video);
  }
  enableExports();
}

ui.cameraButton.addEventListener('click', () => void (app.stream ? stopWebcam() : startWebcam()));

ui.backend.addEventListener('change', () => {
  // the next frame or photo loads the models on the engine chosen
  setStatus(`Engine: ${ui.backend.selectedOptions[0]?.textContent ?? backend()}.`);
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
  void app.pool.dispose();
});
updateTimeline(performance.now());
