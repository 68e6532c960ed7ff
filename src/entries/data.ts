/**
 * `ferkit/data`: the data sets faces come from, in Node: FER2013's CSV,
 * image folders, FER+ crowd votes, splits, selections, duplicates, and the
 * one way a face picture becomes the model's 48x48 input.
 */
export { classCounts, concat, subset, type Dataset, type ReadReport } from '../data/dataset.js';
export { makeDataset } from '../data/dataset.js';
export { createRng, shuffleInPlace } from '../core/random.js';
export { readFerCsv, DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_EXPANSION, type CsvReadOptions } from '../data/csv.js';
export { readImageFolder, type FolderReadOptions } from '../data/folder.js';
export { readFerPlus, withFerPlus, type FerPlusVotes, type FerPlusOptions, type FerPlusDropped } from '../data/ferplus.js';
export { loadDataset, type LoadOptions } from '../data/load.js';
export { stratifiedSplit, type SplitIndices } from '../data/split.js';
export {
  selectData,
  selectTrainingData,
  type DataSelection,
  type TrainingDataSelection,
  type TrainingData,
  type SelectionStep,
  type Usage,
  type Dedupe,
} from '../data/select.js';
export { DATA_SELECTION_FLAGS, dataSelection, trainingDataSelection, type DataSelectionFlags } from '../data/selection-flags.js';
export { nearestFaces, duplicateIndices, DUPLICATE_THRESHOLD, type NearestFaces, type DuplicateOptions } from '../data/duplicates.js';
export { decodeFace, type ImageSource } from '../fs/picture.js';
export { IMAGE_SIZE, PIXELS_PER_IMAGE } from '../core/image/preprocess.js';
export { equalized, equalizeHistogram, claheImage, type Equalization } from '../core/image/equalize.js';
export { NUM_CLASSES, matchEmotion, emotionIndex, rankEmotions } from '../core/labels.js';
