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
import { bilinearMatrix, FACE_API_EXPRESSION_ARCHITECTURE, FACE_API_INPUT, faceApiLabelOrder } from '../face-api-expression.js';
import { EMOTIONS } from '../../labels.js';
import { ONNX_INPUT, ONNX_UNCALIBRATED } from './names.js';

/** Depthwise-separable conv with bias, as face-api.js's feature extractor has them. */
function separable(b: OnnxGraphBuilder, x: string, prefix: string, strides: number): string {
  const dw = b.depthwise(x, b.weight(`${prefix}/depthwise_filter`), undefined, strides, 'SAME', `${prefix}/depthwise`);
  return b.conv(dw, b.weight(`${prefix}/pointwise_filter`), b.weight(`${prefix}/bias`), 1, 'SAME', `${prefix}/pointwise`);
}

/** face-api.js's denseBlock4 (faceFeatureExtractor/denseBlock.ts). */
function denseBlock(b: OnnxGraphBuilder, x: string, prefix: string, first: boolean): string {
  const c0 = first
    ? b.conv(x, b.weight(`${prefix}/conv0/filters`), b.weight(`${prefix}/conv0/bias`), 2, 'SAME', `${prefix}/conv0`)
    : separable(b, x, `${prefix}/conv0`, 2);
  const out1 = b.node('Relu', [c0], `${prefix}/out1`);
  const out2 = separable(b, out1, `${prefix}/conv1`, 1);
  const in3 = b.node('Relu', [b.node('Add', [out1, out2], `${prefix}/sum12`)], `${prefix}/in3`);
  const out3 = separable(b, in3, `${prefix}/conv2`, 1);
  const in4 = b.node('Relu', [b.node('Add', [out1, b.node('Add', [out2, out3], `${prefix}/sum23`)], `${prefix}/sum123`)], `${prefix}/in4`);
  const out4 = separable(b, in4, `${prefix}/conv3`, 1);
  const s234 = b.node('Add', [out2, b.node('Add', [out3, out4], `${prefix}/sum34`)], `${prefix}/sum234`);
  return b.node('Relu', [b.node('Add', [out1, s234], `${prefix}/sum1234`)], `${prefix}/out`);
}

/**
 * face-api.js's FaceFeatureExtractor (four dense blocks, then a 7x7 average
 * pool with stride 2) on a [n, 3, 112, 112] input already preprocessed:
 * [n, 256] features. Weights named as face-api.js names them (dense0/..., dense3/...).
 */
export function faceApiFeatures(b: OnnxGraphBuilder, x: string): string {
  for (let i = 0; i < 4; i++) x = denseBlock(b, x, `dense${i}`, i === 0);
  const pooled = b.node('AveragePool', [x], 'pool', { kernel_shape: { ints: [7, 7] }, strides: { ints: [2, 2] } });
  return b.node('Flatten', [pooled], 'flatten', { axis: { i: 1 } });
}

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
 * in Node or in the browser (src/models/onnx/session.ts runs it).
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
