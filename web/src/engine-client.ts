/**
 * The page's side of its inference worker: one worker for the page's
 * life, holding the engine and the models. Webcam frames go to it one at a
 * time (the page drops frames while it is busy); photos wait their turn.
 */
import type { FaceEmotion } from '../../src/browser/index.js';
import { wallClock, type EngineChoice, type EngineReport, type FromWorker, type Runtime, type ToWorker } from './worker-protocol.js';

export type FrameAnswer = Extract<FromWorker, { type: 'frame' }> & {
  /** Milliseconds from the worker posting the answer to the page receiving it. */
  readBack: number;
};

/** A photo's faces, the worker's time on it, and what ran its face detectors. */
export interface PhotoAnswer {
  faces: FaceEmotion[];
  milliseconds: number;
  detectors: Runtime;
}

export interface ClientEvents {
  loading(choice: EngineChoice): void;
  ready(report: EngineReport): void;
  frame(answer: FrameAnswer): void;
  /** A frame or the loading failed (a photo's failure rejects its promise instead). */
  failed(message: string, during: 'load' | 'frame'): void;
}

export class InferenceClient {
  private readonly worker: Worker;
  private busyWith = false;
  private photoId = 0;
  private readonly photos = new Map<number, { resolve: (r: PhotoAnswer) => void; reject: (e: Error) => void }>();
  /** The engine the worker last reported ready. */
  report: EngineReport | undefined;

  constructor(private readonly events: ClientEvents) {
    this.worker = new Worker(new URL('./inference-worker.ts', import.meta.url), { type: 'module', name: 'ferkit-inference' });
    this.worker.addEventListener('message', (event: MessageEvent<FromWorker>) => this.receive(event.data));
    this.worker.addEventListener('error', (event) => {
      this.busyWith = false;
      this.events.failed(event.message || 'the inference worker could not start', 'load');
    });
  }

  /** Whether a webcam frame is being recognised (a new one is dropped, not queued). */
  get busy(): boolean {
    return this.busyWith;
  }

  /** Loads the engine and models for `choice` (at once: the first frame then finds them ready). */
  load(choice: EngineChoice): void {
    this.send({ type: 'load', engine: choice });
  }

  /** Forgets the faces followed so far (a new webcam session). */
  restart(): void {
    this.send({ type: 'restart' });
  }

  /** Marks the worker busy before the frame's bitmap exists (createImageBitmap is asynchronous). */
  reserve(): boolean {
    if (this.busyWith) return false;
    this.busyWith = true;
    return true;
  }

  /** Gives a reservation back unused. */
  release(): void {
    this.busyWith = false;
  }

  /** Sends a reserved frame; the bitmap is transferred (closed here). */
  sendFrame(bitmap: ImageBitmap, seq: number, capturedAt: number): void {
    this.busyWith = true;
    this.send({ type: 'frame', seq, bitmap, capturedAt }, [bitmap]);
  }

  /** A photo's faces and emotions; the bitmap is transferred. */
  recognizePhoto(bitmap: ImageBitmap): Promise<PhotoAnswer> {
    const id = ++this.photoId;
    return new Promise((resolve, reject) => {
      this.photos.set(id, { resolve, reject });
      this.send({ type: 'photo', id, bitmap }, [bitmap]);
    });
  }

  dispose(): void {
    this.worker.terminate();
    for (const p of this.photos.values()) p.reject(new Error('the page closed its inference worker'));
    this.photos.clear();
  }

  private send(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'loading':
        this.events.loading(message.engine);
        break;
      case 'ready':
        this.report = message.engine;
        this.events.ready(message.engine);
        break;
      case 'frame':
        this.busyWith = false;
        this.events.frame({ ...message, readBack: wallClock() - message.postedAt });
        break;
      case 'photo': {
        const waiting = this.photos.get(message.id);
        this.photos.delete(message.id);
        waiting?.resolve({ faces: message.faces, milliseconds: message.milliseconds, detectors: message.detectors });
        break;
      }
      case 'error':
        if (message.during === 'photo' && message.id !== undefined) {
          const waiting = this.photos.get(message.id);
          this.photos.delete(message.id);
          waiting?.reject(new Error(message.message));
        } else {
          if (message.during === 'frame') this.busyWith = false;
          this.events.failed(message.message, message.during === 'photo' ? 'frame' : message.during);
        }
        break;
    }
  }
}
