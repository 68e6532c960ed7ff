import type { Dataset } from '../data/dataset.js';
import { selectData, type OnStep } from '../data/select.js';
import { dataSelection, type DataSelectionFlags } from '../data/selection-flags.js';

/** Loads the images the data-selection flags choose, telling the user each step. */
export function selectForCli(v: DataSelectionFlags, log: (s: string) => void): Promise<Dataset> {
  return selectData(dataSelection(v), stepLog(log, 'eval'));
}

/** Tells the user what each step of a data selection did (read, skipped, split, copies left out, FER+ labels). */
export function stepLog(log: (s: string) => void, command: 'train' | 'eval'): OnStep {
  return (s) => {
    switch (s.step) {
      case 'read':
        for (const w of s.report.warnings) log(`warning: ${w}`);
        if (s.report.skipped) {
          log(`skipped ${s.report.skipped} bad row(s)/file(s) in ${s.path} (--skip-bad):`);
          for (const e of s.report.skippedExamples) log(`  ${e}`);
        }
        log(`read ${s.count} images from ${s.path}${s.usage ? ` (usage ${s.usage.join(',')})` : ''} in ${s.seconds.toFixed(1)}s`);
        return;
      case 'split':
        log(
          command === 'train' && s.fraction === 0
            ? `no held-out part (--split 0): all ${s.train} images train, and nothing validates`
            : command === 'train'
              ? `stratified split ${Math.round((1 - s.fraction) * 100)}:${Math.round(s.fraction * 100)} (seed ${s.seed}): ${s.train} train, ${s.heldOut} held out`
              : `using the ${s.part} part of the stratified split (fraction ${s.fraction}, seed ${s.seed}): ${s.part === 'heldout' ? s.heldOut : s.train} images`,
        );
        return;
      case 'dedupe':
        log(
          command === 'train'
            ? `--dedupe: left out of validation ${s.copies} faces that copy a training face (${s.sameLabel} with its label): ${s.count} validation faces`
            : `--dedupe: left out ${s.copies} images that are copies (similarity >= ${s.threshold}) of one of the ${s.reference} training faces (${s.sameLabel} with that face's label): ${s.count} images`,
        );
        return;
      case 'ferplus':
        log(
          s.soft
            ? `FER+ soft labels attached; dropped ${s.dropped.notFace} non-faces and ${s.dropped.unvoted} unvoted images`
            : `labels: FER+ majority votes (${s.path}); left out ${s.dropped.notFace + s.dropped.otherMajority} images whose majority is not one of the seven emotions (not a face, contempt, unknown) and ${s.dropped.unvoted} without votes: ${s.count} images`,
        );
        return;
    }
  };
}
