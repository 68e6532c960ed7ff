/** The input and output names of ferkit's emotion models in ONNX. Platform-neutral. */

/** Names of the graph's input and outputs. */
export const ONNX_INPUT = 'faces';
/** Probabilities as ferkit reports them: calibrated with the model's fitted temperature and class bias, when it has them. */
export const ONNX_PROBABILITIES = 'probabilities';
/** The network's own softmax, before calibration. */
export const ONNX_UNCALIBRATED = 'uncalibrated';
