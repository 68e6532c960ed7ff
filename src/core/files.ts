/**
 * Files of a model or of the face detectors, wherever they are: a folder
 * (Node), a web server (a browser) or memory. The platform gives them; the
 * loaders read them.
 */

/** The files of one model or network set, by path relative to it (`model.json`, `member-1/weights.bin`, `blazeface.onnx`). */
export interface ModelFiles {
  /** The folder or URL, for messages. */
  readonly location: string;
  /**
   * A file's bytes, or undefined when the model has no such file. A file of
   * more than `maxBytes` may be refused before it is read (a BAD_MODEL
   * error); the loader refuses it anyway once read.
   */
  read(path: string, maxBytes?: number): Promise<Uint8Array | undefined>;
}

/** The files below `folder` of `files` (an ensemble's member, `member-1`), as files of their own. */
export function subFiles(files: ModelFiles, folder: string): ModelFiles {
  const prefix = folder.replace(/\/+$/, '');
  return {
    location: `${files.location.replace(/\/+$/, '')}/${prefix}`,
    read: (path: string, maxBytes?: number) => files.read(`${prefix}/${path}`, maxBytes),
  };
}
