/** The web page's build: web/ in, dist/web out, served by `ferkit serve` at `/`. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  // the page loads nothing from elsewhere: no public folder, no CDN
  publicDir: false,
  // the inference worker is an ES module: it loads the WebAssembly engines' own modules on demand
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // TensorFlow.js is large; one chunk for it keeps the page's own code small and cacheable
    chunkSizeWarningLimit: 4000,
    // no inline data: URLs for assets (the CSP allows them for images only)
    assetsInlineLimit: 0,
  },
});
