/**
 * face-api.js's expression net (FaceExpressionNet) as a ferkit ONNX model,
 * written from its weight map with ferkit's graph builder: input `faces`
 * [n, 48, 48, 1] (ferkit's grey crops scaled to 0..1), output
 * `uncalibrated` [n, 7] (its softmax, in ferkit's EMOTIONS order). The
 * graph does face-api's own preprocessing first (FACE_API_INPUT): back to
 * 0..255, resized to 112x112 as TensorFlow.js's resizeBilinear does (a
 * square crop needs no padding), three equal colour channels, mean RGB
 * subtracted, divided by 255. Then the dense-block feature extractor, the
 * 7x7 average pool and the fully connected layer, as face-api.js runs them.
 * Platform-neutral; no TensorFlow.js.
 */
import { IMAGE_SIZE } from '../../image/preprocess.js';
import { OnnxGraphBuilder, type WeightMap } from '../../onnx/builder.js';
import { faceApiFeatures } from '../../onnx/face-api-features.js';
import { bilinearMatrix, FACE_API_EXPRESSION_ARCHITECTURE, FACE_API_INPUT, faceApiLabelOrder } from '../face-api-expression.js';
import { EMOTIONS } from '../../labels.js';
import { ONNX_INPUT, ONNX_UNCALIBRATED } from './names.js';

/** face-api.js's own preprocessing of [n, 48, 48, 1] crops in 0..1: [n, 3, 112, 112] as its network takes it. */
function faceApiPreprocessing(b: OnnxGraphBuilder, faces: string): string {
  const size = FACE_API_INPUT.inputSize;
  // [n, 48, 48, 1] and [n, 1, 48, 48] hold the same values in the same order
  const grey = b.node('Reshape', [faces, b.int64('nchw_shape', [-1, 1, IMAGE_SIZE, IMAGE_SIZE])], 'grey');
  const bytes = b.node('Mul', [grey, b.scalar('byte_range', 255)], 'grey_0_255');
  const r = bilinearMatrix(IMAGE_SIZE, size);
  const rt = new Float32Array(r.length);
  for (let o = 0; o < size; o++) for (let i = 0; i < IMAGE_SIZE; i++) rt[i * size + o] = r[o * IMAGE_SIZE + i];
  const rows = b.node('MatMul', [b.constant('resize_rows', [size, IMAGE_SIZE], r), bytes], 'resized_rows');
  const resized = b.node('MatMul', [rows, b.constant('resize_columns', [IMAGE_SIZE, size], rt)], 'resized');
  const rgb = b.node('Concat', [resized, resized, resized], 'rgb', { axis: { i: 1 } });
  const centred = b.node('Sub', [rgb, b.constant('mean_rgb', [1, 3, 1, 1], Float32Array.from(FACE_API_INPUT.meanRgb))], 'centred');
  return b.node('Div', [centred, b.scalar('divisor', 255)], 'normalised');
}

/**
 * The ONNX bytes of face-api.js's expression net from its weight map
 * (`face_expression_model-weights_manifest.json` decoded), for ONNX Runtime
 * in Node or in the browser (src/core/models/onnx/session.ts runs it).
 */
export function faceApiExpressionOnnx(weights: WeightMap, ferkitVersion?: string): Uint8Array {
  const b = new OnnxGraphBuilder(weights);
  const features = faceApiFeatures(b, faceApiPreprocessing(b, ONNX_INPUT));
  const fc = b.weight('fc/weights');
  const bias = b.weight('fc/bias');
  const logits = b.node('Gemm', [features, b.constant('fc/W', fc.shape, fc.data), b.constant('fc/B', bias.shape, bias.data)], 'logits');
  const probs = b.node('Softmax', [logits], 'face_api_probabilities', { axis: { i: 1 } });
  b.output('Gather', [probs, b.int64('ferkit_order', faceApiLabelOrder())], ONNX_UNCALIBRATED, { axis: { i: 1 } });
  return b.encode(
    'face_expression',
    "face-api.js's FaceExpressionNet (MIT) with its own preprocessing, outputs in ferkit's emotion order",
    [{ name: ONNX_INPUT, dims: ['batch', IMAGE_SIZE, IMAGE_SIZE, 1] }],
    [{ name: ONNX_UNCALIBRATED, dims: ['batch', EMOTIONS.length] }],
    {
      architecture: FACE_API_EXPRESSION_ARCHITECTURE,
      labels: JSON.stringify(EMOTIONS),
      ...(ferkitVersion ? { ferkit_version: ferkitVersion } : {}),
    },
  );
}
