/**
 * Floating-point operations of one forward pass of a TensorFlow.js layers
 * model, counted from its layers: a multiply-add is two operations.
 * Convolutions and dense layers only; batch norm, activations, pooling and
 * additions are a few operations per value and left out.
 */
import type * as tf from '@tensorflow/tfjs';

/** What the count reads from a layer. A tfjs layer has all of it. */
export interface CountedLayer {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  /** Its input and output (a tfjs layer's symbolic tensors; the first if several). */
  readonly input: Shaped | Shaped[];
  readonly output: Shaped | Shaped[];
  /** A nested model's own layers. */
  readonly layers?: readonly CountedLayer[];
}

interface Shaped {
  readonly shape: tf.Shape;
}

const firstShape = (s: Shaped | Shaped[]): tf.Shape => (Array.isArray(s) ? s[0] : s).shape;
const last = (s: tf.Shape) => Number(s[s.length - 1]);
/** Product of the dimensions between the batch and the channels (output positions). */
const positions = (s: tf.Shape) => s.slice(1, -1).reduce<number>((p, d) => p * Number(d), 1);
const kernelArea = (config: Record<string, unknown>) => {
  const k = config['kernelSize'] as number | number[];
  return Array.isArray(k) ? k.reduce((p, d) => p * d, 1) : k * k;
};

/**
 * Operations per example of one layer: conv 2·H_out·W_out·k_h·k_w·C_in·C_out,
 * depthwise 2·H_out·W_out·k_h·k_w·C_in·multiplier, separable the two in turn,
 * dense 2·in·out (per position when its input has more than one axis). Pure.
 */
export function layerFlops(layer: CountedLayer): number {
  if (layer.layers) return modelFlops(layer.layers);
  const config = layer.getConfig();
  const input = firstShape(layer.input);
  const output = firstShape(layer.output);
  switch (layer.getClassName()) {
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
      return 2 * positions(output) * kernelArea(config) * last(input) * last(output);
    case 'DepthwiseConv2D':
      return 2 * positions(output) * kernelArea(config) * last(input) * Number(config['depthMultiplier'] ?? 1);
    case 'SeparableConv2D': {
      const mid = last(input) * Number(config['depthMultiplier'] ?? 1);
      return 2 * positions(output) * (kernelArea(config) * mid + mid * last(output));
    }
    case 'Dense':
      return 2 * positions(input) * last(input) * last(output);
    default:
      return 0;
  }
}

/** Operations per example of a whole model (its layers' sum). Pure. */
export function modelFlops(layers: readonly CountedLayer[]): number {
  return layers.reduce((sum, l) => sum + layerFlops(l), 0);
}
