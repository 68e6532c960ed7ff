/**
 * A pictures job: each picture recognised in turn, as `ferkit predict`
 * does, with the job's progress after each and its lock renewed.
 */
import type { Job } from 'bullmq';
import { FerkitError, isCallerError } from '../core/errors.js';
import { pictureRecord, type PictureRecord } from '../core/results.js';
import { loadRgb } from '../fs/picture.js';
import type { JobContext } from './job-context.js';
import { pictureBytes } from './inputs.js';
import type { JobProgress, PicturesJobData, PicturesResult } from './jobs.js';

export async function picturesJob(job: Job<PicturesJobData>, c: JobContext): Promise<PicturesResult> {
  const { pictures } = job.data;
  const out: PictureRecord[] = [];
  for (const [i, p] of pictures.entries()) {
    if (c.signal?.aborted) await c.handBack();
    try {
      const image = await loadRgb(await pictureBytes(p, c.ctx));
      const [faces] = await c.recognizer.recognizeRgb([image]);
      out.push(pictureRecord(p.name, faces));
    } catch (err) {
      // one picture: its error is the job's; several: a caller's error (a bad picture) is reported in its place, as `ferkit predict` does
      if (pictures.length === 1 || !(err instanceof FerkitError) || !isCallerError(err.code)) throw err;
      out.push({ file: p.name, faces: [], error: { code: err.code, message: err.message } });
    }
    await job.updateProgress({ done: i + 1, total: pictures.length, unit: 'pictures' } satisfies JobProgress);
    await c.keepLock();
  }
  return { kind: 'pictures', model: c.model, pictures: out };
}
