import { loadDataset, type LoadOptions } from '../data/load.js';
import type { Dataset } from '../data/dataset.js';

/** Loads a dataset for a command and tells the user what was skipped or ignored. */
export async function loadForCli(path: string, options: LoadOptions, log: (s: string) => void): Promise<Dataset> {
  const t0 = performance.now();
  const { dataset, report } = await loadDataset(path, options);
  for (const w of report.warnings) log(`warning: ${w}`);
  if (report.skipped) {
    log(`skipped ${report.skipped} bad row(s)/file(s) in ${path} (--skip-bad):`);
    for (const e of report.skippedExamples) log(`  ${e}`);
  }
  log(`read ${dataset.count} images from ${path}${options.usage ? ` (usage ${options.usage.join(',')})` : ''} in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  return dataset;
}
