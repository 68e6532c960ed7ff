/** Model files served over HTTP: the browser adapter of src/core/models/loader.ts. */
import { FerkitError } from '../core/errors.js';
import type { ModelFiles } from '../core/files.js';

/** The files of a model at `baseUrl` (a folder URL; `model.json`, `ferkit.json` and the weights below it). */
export function urlFiles(baseUrl: string, fetchFn: typeof fetch = fetch): ModelFiles {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    location: base,
    async read(path: string) {
      const url = new URL(path, new URL(base, (globalThis as { location?: { href: string } }).location?.href ?? 'http://localhost/')).href;
      let response: Response;
      try {
        response = await fetchFn(url);
      } catch (err) {
        throw new FerkitError('MODEL_NOT_FOUND', `cannot fetch ${url} (${(err as Error).message}); check the model URL and that the server is up`, {
          file: url,
          cause: err,
        });
      }
      if (response.status === 404) return undefined;
      if (!response.ok) throw new FerkitError('MODEL_NOT_FOUND', `${url} answered ${response.status} ${response.statusText}`, { file: url });
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}
