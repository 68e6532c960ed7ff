import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ISOLATION_HEADERS, PAGE_POLICY, modelFiles, publicMetadata, registerStatic } from './static.js';
import { PROJECT_ROOT, tempDir } from '../../test/fixtures.js';

test('modelFiles: the files a model names, none outside its folder', () => {
  const { dir, cleanup } = tempDir();
  try {
    const model = join(dir, 'm');
    mkdirSync(model);
    const manifest = (path: string) => JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: [path], weights: [] }] });
    writeFileSync(join(model, 'model.json'), manifest('weights.bin'));
    writeFileSync(join(model, 'weights.bin'), 'w');
    writeFileSync(join(model, 'ferkit.json'), '{}');
    assert.deepEqual([...modelFiles(model).keys()].sort(), ['ferkit.json', 'model.json', 'weights.bin']);
    writeFileSync(join(dir, 'secret.bin'), 's');
    writeFileSync(join(model, 'model.json'), manifest('../secret.bin'));
    assert.throws(() => modelFiles(model), /outside the model/);
  } finally {
    cleanup();
  }
});

test('publicMetadata: what the page needs, without how and on what data the model was trained', () => {
  const out = JSON.parse(
    publicMetadata(Buffer.from(JSON.stringify({ labels: ['a'], calibration: { temperature: 2 }, training: { data: '/home/me/data.csv' } }))).toString(),
  );
  assert.deepEqual(out, { labels: ['a'], calibration: { temperature: 2 } });
});

test("registerStatic: the page and its files are cross-origin isolated (COOP and COEP) and carry the page's policy", async () => {
  const { dir, cleanup } = tempDir();
  const { default: fastify } = await import('fastify');
  const app = fastify();
  try {
    const web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<p>hi</p>');
    writeFileSync(join(web, 'assets', 'main-1.js'), 'export {}');
    await registerStatic(app, { modelDir: join(PROJECT_ROOT, 'models', 'default'), webDir: web });
    for (const url of ['/', '/assets/main-1.js', '/model/ferkit.json']) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      for (const [name, value] of ISOLATION_HEADERS) assert.equal(res.headers[name], value, `${url}: ${name}`);
      // a worker script runs under its own response's policy: the page's, not the API's default-src 'none'
      assert.equal(res.headers['content-security-policy'], PAGE_POLICY, url);
    }
    // the webcam's detector (copied into dist/ by the build), the detectors' ONNX files and ONNX Runtime's engine are served too
    for (const url of [
      '/blazeface/blazeface-front.json',
      '/blazeface/blazeface-front.bin',
      '/ort-wasm/ort-wasm-simd-threaded.mjs',
      '/ort-wasm/ort-wasm-simd-threaded.wasm',
      '/onnx/blazeface.onnx',
      '/onnx/blazeface-front.onnx',
      '/onnx/ssd_mobilenetv1.onnx',
      '/onnx/face_landmark_68.onnx',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      for (const [name, value] of ISOLATION_HEADERS) assert.equal(res.headers[name], value, `${url}: ${name}`);
      assert.equal(res.headers['content-security-policy'], PAGE_POLICY, url);
    }
    assert.match(String((await app.inject({ method: 'GET', url: '/ort-wasm/ort-wasm-simd-threaded.mjs' })).headers['content-type']), /^text\/javascript/);
    const onnx = await app.inject({ method: 'GET', url: '/onnx/ssd_mobilenetv1.onnx' });
    assert.equal(onnx.headers['content-type'], 'application/octet-stream');
    assert.deepEqual(onnx.rawPayload, readFileSync(join(PROJECT_ROOT, 'dist', 'onnx', 'ssd_mobilenetv1.onnx')), 'the built file, whole');
    // only the detectors: the bundled models' ONNX files are not the page's
    assert.equal((await app.inject({ method: 'GET', url: '/onnx/models/default.onnx' })).statusCode, 404);
  } finally {
    await app.close();
    cleanup();
  }
});
