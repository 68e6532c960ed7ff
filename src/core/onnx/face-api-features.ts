/**
 * face-api.js's feature extractor (its dense blocks of depthwise-separable
 * convolutions) as ONNX nodes: shared by its 68-point landmark net
 * (src/core/face/onnx-nets.ts) and its expression net
 * (src/core/models/onnx/face-api-expression.ts). Platform-neutral.
 */
import type { OnnxGraphBuilder } from './builder.js';

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
