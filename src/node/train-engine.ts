import type { EngineChoice, EngineInfo } from '../core/engine.js';
import { initEngine } from './engine.js';
import { readMetadata } from '../store/folder.js';
import { isFaceApiExpressionModel } from '../store/face-api-expression.js';

export interface TrainingEngineOptions {
  /** Registry name of the architecture to train. */
  architecture: string;
  batchSize: number;
  /** Model folder (or `face-api-expressions`) of a teacher whose predictions the run distils. */
  teacher?: string;
}

/**
 * The engine for a training run: `initEngine` with training kernels, and
 * TensorFlow's oneDNN kernels (about twice as fast to train) when a child
 * process has trained the architecture, and run the teacher's, with them.
 * An ensemble teacher keeps TensorFlow's own kernels.
 */
export async function initTrainingEngine(choice: EngineChoice | undefined, options: TrainingEngineOptions): Promise<EngineInfo> {
  // face-api.js's expression net by name runs on ONNX Runtime (or its own TensorFlow.js ops): nothing of it to probe
  const teacher = options.teacher && !isFaceApiExpressionModel(options.teacher) ? readMetadata(options.teacher) : undefined;
  const oneDnn =
    teacher?.members === undefined
      ? { architectures: [options.architecture, ...(teacher ? [teacher.architecture] : [])], batchSizes: [options.batchSize, 1] }
      : undefined;
  return initEngine(choice, { training: true, ...(oneDnn ? { oneDnn } : {}) });
}
