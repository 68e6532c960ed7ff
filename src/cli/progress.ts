import type { BatchLogs, EpochLogs, TrainCallbacks } from '../train/types.js';
import { EMOTIONS } from '../core/labels.js';
import { CLEAR_LINE } from './terminal.js';

/** Seconds as `1h02m`, `3m05s` or `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    r = s % 60;
  if (h) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

const pct = (v: number | undefined) => (v === undefined ? '-' : `${(v * 100).toFixed(2)}%`);

/** ` val_f1 0.612 (lowest recall fear 0.410)`, or nothing without validation figures. */
function validationDetail(l: EpochLogs): string {
  if (l.valMacroF1 === undefined || !l.valRecall?.length) return '';
  const low = l.valRecall.reduce((best, r, i) => (r < l.valRecall![best] ? i : best), 0);
  return ` val_f1 ${l.valMacroF1.toFixed(3)} (lowest recall ${EMOTIONS[low] ?? `class ${low}`} ${l.valRecall[low].toFixed(3)})`;
}

/**
 * A training progress bar for a terminal: batches done, ETA of the epoch and
 * of the run, live loss and accuracy; one summary line per epoch. Where the
 * output is not a terminal (a log file) it prints the epoch lines only.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): TrainCallbacks {
  let epochs = 0,
    startEpoch = 0,
    epochStart = 0,
    runStart = 0,
    lastDraw = 0;
  const tty = Boolean(stream.isTTY);
  const epochTimes: number[] = [];
  return {
    onTrainBegin(info) {
      epochs = info.epochs;
      startEpoch = info.startEpoch;
      runStart = performance.now();
      stream.write(
        `training on ${info.trainCount} images (${info.batchesPerEpoch} batches/epoch), ${info.valCount ? `validating on ${info.valCount}` : 'no validation'}; epochs ${info.startEpoch + 1}..${info.epochs}\n`,
      );
    },
    onEpochBegin() {
      epochStart = performance.now();
    },
    onBatchEnd(epoch: number, l: BatchLogs) {
      const now = performance.now();
      if (!tty || (now - lastDraw < 100 && l.batch !== l.batches)) return;
      lastDraw = now;
      const elapsed = (now - epochStart) / 1000;
      const etaEpoch = (elapsed / l.batch) * (l.batches - l.batch);
      const perEpoch = epochTimes.length ? epochTimes.reduce((a, b) => a + b, 0) / epochTimes.length : elapsed + etaEpoch;
      const etaRun = etaEpoch + perEpoch * (epochs - epoch);
      const width = 24;
      const done = Math.round((l.batch / l.batches) * width);
      stream.write(
        `${CLEAR_LINE}epoch ${epoch}/${epochs} [${'='.repeat(done)}${' '.repeat(width - done)}] ${l.batch}/${l.batches} loss ${l.loss.toFixed(4)} acc ${pct(l.accuracy)} | ETA epoch ${formatDuration(etaEpoch)}, run ${formatDuration(etaRun)}`,
      );
    },
    onEpochEnd(l: EpochLogs) {
      epochTimes.push(l.seconds);
      const remaining = (epochs - l.epoch) * (epochTimes.reduce((a, b) => a + b, 0) / epochTimes.length);
      stream.write(
        `${tty ? CLEAR_LINE : ''}epoch ${l.epoch}/${epochs} loss ${l.loss.toFixed(4)} acc ${pct(l.accuracy)} val_loss ${l.valLoss?.toFixed(4) ?? '-'} val_acc ${pct(l.valAccuracy)}${validationDetail(l)} | ${l.seconds.toFixed(1)}s, ${Math.round(l.imagesPerSecond)} img/s, ${l.numTensors} tensors | ETA ${formatDuration(remaining)}\n`,
      );
    },
    onTrainEnd() {
      if (epochs > startEpoch) stream.write(`done in ${formatDuration((performance.now() - runStart) / 1000)}\n`);
    },
  };
}
