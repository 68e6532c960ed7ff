/** ferkit's job queue (`ferkit/queue`): BullMQ workers and clients on Redis; kept apart from the main entry so that using the library does not load BullMQ. */
export { startWorker, type WorkerOptions, type QueueWorker } from './worker.js';
export { JobClient, type JobClientOptions, type SubmitInput, type JobStatus, type JobState, type JobEvent } from './client.js';
export {
  DEFAULT_QUEUE,
  DEFAULT_JOB_DEFAULTS,
  jobFailure,
  type JobDefaults,
  type JobProgress,
  type JobResult,
  type PicturesResult,
  type VideoResult,
  type VideoJobOptions,
} from './jobs.js';
export { DEFAULT_INPUT_LIMITS, type InputLimits } from './inputs.js';
export { DEFAULT_VIDEO_LIMITS, type VideoJobLimits } from './video-plan.js';
