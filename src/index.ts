/**
 * ferkit: facial expression recognition in TypeScript. The public API; every
 * name here is re-exported from the module that owns it.
 */
export { FerkitError, type FerkitErrorCode } from './errors.js';
export { EMOTIONS, NUM_CLASSES, matchEmotion, emotionIndex, type Emotion } from './labels.js';
export { initEngine, type EngineChoice, type EngineInfo, type BackendName } from './engine/index.js';
export { IMAGE_SIZE, PIXELS_PER_IMAGE, classCounts, concat, subset, type Dataset, type ReadReport } from './data/dataset.js';
export { readFerCsv, type CsvReadOptions } from './data/csv.js';
export { readImageFolder, type FolderReadOptions } from './data/folder.js';
export { readFerPlus, withFerPlus, type FerPlusVotes, type FerPlusOptions } from './data/ferplus.js';
export { loadDataset, type LoadOptions } from './data/load.js';
export { stratifiedSplit, type SplitIndices } from './data/split.js';
export { decodeGrey, type ImageSource } from './image/decode.js';
export { getArchitecture, listArchitectures, registerArchitecture, type Architecture, type BuildOptions } from './models/architectures.js';
export { loadModel, saveModel, defaultModelDir, type ModelMetadata, type SavedModel, type Preprocessing } from './models/io.js';
export { predictProbabilities } from './models/predict.js';
export { train, PAPER_RECIPE, type TrainConfig, type TrainOptions, type TrainResult } from './train/train.js';
export type { EpochLogs, BatchLogs, TrainCallbacks } from './train/types.js';
export { evaluate } from './eval/evaluate.js';
export { computeMetrics, confusionMatrix, perClassMetrics, macroF1, accuracy, type Metrics, type ClassMetrics } from './eval/metrics.js';
export { formatMetrics } from './eval/format.js';
