import * as tf from '@tensorflow/tfjs';
import { FerkitError } from '../errors.js';
import { mixSeed } from '../random.js';
import { SeededDropout } from './dropout.js';

export interface BuildOptions {
  /** Seed for weight initialisation and dropout masks. */
  seed: number;
  /** Number of classes (7 for FER2013). */
  numClasses: number;
  /** Side of the square grey input (48). */
  inputSize: number;
}

/** A named model builder in the registry. */
export interface Architecture {
  readonly name: string;
  readonly description: string;
  build(options: BuildOptions): tf.LayersModel;
}

/** Small declarative helpers: every layer gets a fixed name and its own seed. */
function layerKit(seed: number) {
  let n = 0;
  const init = () => tf.initializers.glorotUniform({ seed: mixSeed(seed, ++n) });
  return {
    conv: (name: string, filters: number, kernel = 3, padding: 'valid' | 'same' = 'valid') =>
      tf.layers.conv2d({ name, filters, kernelSize: kernel, padding, activation: 'relu', kernelInitializer: init() }),
    pool: (name: string) => tf.layers.maxPooling2d({ name, poolSize: 2, strides: 2 }),
    dropout: (name: string, rate: number) => new SeededDropout({ name, rate, seed: mixSeed(seed, 1000 + ++n) }),
    dense: (name: string, units: number, activation: 'relu' | 'softmax') =>
      tf.layers.dense({ name, units, activation, kernelInitializer: init() }),
  };
}

/**
 * The paper's CNN: convolution, max-pooling, dropout and fully-connected
 * layers on 48x48x1 input, softmax over the seven classes (2.35M parameters).
 * The paper names the layer types but not their sizes; these are the sizes of
 * the widely used Keras FER2013 CNN of the same shape.
 */
const paper: Architecture = {
  name: 'paper',
  description: "the paper's CNN: 4 conv (32-64-128-128), 3 max-pool, 3 dropout, dense 1024, softmax (2.35M parameters)",
  build({ seed, numClasses, inputSize }) {
    const k = layerKit(seed);
    const model = tf.sequential({ name: 'paper' });
    model.add(tf.layers.inputLayer({ name: 'input', inputShape: [inputSize, inputSize, 1] }));
    model.add(k.conv('conv1', 32));
    model.add(k.conv('conv2', 64));
    model.add(k.pool('pool1'));
    model.add(k.dropout('drop1', 0.25));
    model.add(k.conv('conv3', 128));
    model.add(k.pool('pool2'));
    model.add(k.conv('conv4', 128));
    model.add(k.pool('pool3'));
    model.add(k.dropout('drop2', 0.25));
    model.add(tf.layers.flatten({ name: 'flatten' }));
    model.add(k.dense('fc1', 1024, 'relu'));
    model.add(k.dropout('drop3', 0.5));
    model.add(k.dense('output', numClasses, 'softmax'));
    return model;
  },
};

/** conv 3x3 (no bias) -> batch norm -> ReLU, the unit of the VGG-style net. */
function convBnRelu(model: tf.Sequential, name: string, filters: number, seed: number): void {
  model.add(tf.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed }) }));
  model.add(tf.layers.batchNormalization({ name: `${name}_bn` }));
  model.add(tf.layers.activation({ name: `${name}_relu`, activation: 'relu' }));
}

/**
 * A VGG-style net with batch normalisation: blocks of two 3x3 convolutions
 * (`widths` filters) each closed by max-pooling and dropout, then a
 * `dense`-unit fully-connected layer.
 */
function vggStyle(name: string, description: string, widths: readonly number[], dense: number): Architecture {
  return {
    name,
    description,
    build({ seed, numClasses, inputSize }) {
      const k = layerKit(seed);
      const model = tf.sequential({ name });
      model.add(tf.layers.inputLayer({ name: 'input', inputShape: [inputSize, inputSize, 1] }));
      widths.forEach((filters, b) => {
        convBnRelu(model, `b${b + 1}c1`, filters, mixSeed(seed, 10 * b + 1));
        convBnRelu(model, `b${b + 1}c2`, filters, mixSeed(seed, 10 * b + 2));
        model.add(k.pool(`b${b + 1}pool`));
        model.add(k.dropout(`b${b + 1}drop`, 0.1 + 0.05 * b));
      });
      model.add(tf.layers.flatten({ name: 'flatten' }));
      model.add(tf.layers.dense({ name: 'fc1', units: dense, useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: mixSeed(seed, 99) }) }));
      model.add(tf.layers.batchNormalization({ name: 'fc1_bn' }));
      model.add(tf.layers.activation({ name: 'fc1_relu', activation: 'relu' }));
      model.add(k.dropout('fc1_drop', 0.5));
      model.add(k.dense('output', numClasses, 'softmax'));
      return model;
    },
  };
}

/** The default model's net (1.8M parameters). */
const vgg = vggStyle('vgg', 'VGG-style CNN with batch norm: 4 blocks of 2 conv (32-64-128-256), dense 256 (1.8M parameters)', [32, 64, 128, 256], 256);

/**
 * The same layout at half the width, for live video: a quarter of the
 * multiply-adds. Plain convolutions rather than depthwise-separable ones,
 * which the CPU engines run slower per multiply-add and train far slower.
 */
const fast = vggStyle('fast', 'narrow VGG-style CNN with batch norm for live video: 4 blocks of 2 conv (16-32-64-128), dense 128 (0.44M parameters)', [16, 32, 64, 128], 128);

/**
 * mini-Xception (Arriaga et al., 2017, the emotion model of several
 * face-analysis libraries): two plain convolutions, then four residual
 * modules of depthwise-separable convolutions (16-32-64-128 filters) with
 * 1x1 strided shortcuts, a final convolution to the classes and global
 * average pooling (about 58k parameters).
 */
const xception: Architecture = {
  name: 'xception',
  description: 'mini-Xception: residual depthwise-separable modules (16-32-64-128), global average pooling (58k parameters)',
  build({ seed, numClasses, inputSize }) {
    let n = 0;
    const he = () => tf.initializers.heNormal({ seed: mixSeed(seed, ++n) });
    const bn = (name: string) => tf.layers.batchNormalization({ name });
    const relu = (name: string) => tf.layers.activation({ name, activation: 'relu' });
    const input = tf.input({ name: 'input', shape: [inputSize, inputSize, 1] });
    let x = input as tf.SymbolicTensor;
    for (const name of ['conv1', 'conv2']) {
      x = tf.layers.conv2d({ name, filters: 8, kernelSize: 3, useBias: false, kernelInitializer: he() }).apply(x) as tf.SymbolicTensor;
      x = relu(`${name}_relu`).apply(bn(`${name}_bn`).apply(x)) as tf.SymbolicTensor;
    }
    [16, 32, 64, 128].forEach((filters, m) => {
      const p = `m${m + 1}`;
      const shortcut = bn(`${p}_short_bn`).apply(tf.layers.conv2d({ name: `${p}_short`, filters, kernelSize: 1, strides: 2, padding: 'same', useBias: false, kernelInitializer: he() }).apply(x)) as tf.SymbolicTensor;
      const sep = (name: string) => tf.layers.separableConv2d({ name, filters, kernelSize: 3, padding: 'same', useBias: false, depthwiseInitializer: he(), pointwiseInitializer: he() });
      x = relu(`${p}_sep1_relu`).apply(bn(`${p}_sep1_bn`).apply(sep(`${p}_sep1`).apply(x))) as tf.SymbolicTensor;
      x = bn(`${p}_sep2_bn`).apply(sep(`${p}_sep2`).apply(x)) as tf.SymbolicTensor;
      x = tf.layers.maxPooling2d({ name: `${p}_pool`, poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.add({ name: `${p}_add` }).apply([x, shortcut]) as tf.SymbolicTensor;
    });
    x = tf.layers.conv2d({ name: 'classes', filters: numClasses, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: mixSeed(seed, ++n) }) }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
    const output = tf.layers.activation({ name: 'output', activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
    return tf.model({ name: 'xception', inputs: input, outputs: output });
  },
};

/** A tiny CNN for tests and smoke runs (trains in seconds on any backend). */
const tiny: Architecture = {
  name: 'tiny',
  description: 'a tiny CNN (2 conv, 1 dense) for tests and quick smoke runs',
  build({ seed, numClasses, inputSize }) {
    const k = layerKit(seed);
    const model = tf.sequential({ name: 'tiny' });
    model.add(tf.layers.inputLayer({ name: 'input', inputShape: [inputSize, inputSize, 1] }));
    model.add(k.conv('conv1', 8));
    model.add(k.pool('pool1'));
    model.add(k.conv('conv2', 16));
    model.add(k.pool('pool2'));
    model.add(k.dropout('drop1', 0.25));
    model.add(tf.layers.flatten({ name: 'flatten' }));
    model.add(k.dense('output', numClasses, 'softmax'));
    return model;
  },
};

const REGISTRY = new Map<string, Architecture>([paper, vgg, fast, xception, tiny].map((a) => [a.name, a]));

/** Adds an architecture to the registry (overwrites one of the same name). */
export function registerArchitecture(arch: Architecture): void {
  REGISTRY.set(arch.name, arch);
}

export function getArchitecture(name: string): Architecture {
  const arch = REGISTRY.get(name);
  if (!arch) throw new FerkitError('BAD_ARGUMENT', `unknown architecture "${name}"; choose one of: ${[...REGISTRY.keys()].join(', ')}`);
  return arch;
}

export function listArchitectures(): Architecture[] {
  return [...REGISTRY.values()];
}
