/** Errors of `@souk/zk`. Each names what was refused and why, so a publisher can fix the model. */

/**
 * A model outside the subset that the zk tier compiles: a single chain of dense layers (Gemm, or MatMul with an
 * optional Add of a constant bias), Relu after every layer but the last, and at most a final Softmax and/or ArgMax.
 */
export class UnsupportedModelError extends Error {
  override readonly name = 'UnsupportedModelError';
  /** The ONNX operator refused (`opType`), or `'graph'` when the graph as a whole is refused. */
  readonly op: string;
  /** The node's name (its index as `#i` when unnamed), or the graph's name. */
  readonly node: string;
  /** Why it is refused, in words. */
  readonly reason: string;

  constructor(op: string, node: string, reason: string) {
    super(`unsupported model: ${op} node '${node}': ${reason}`);
    this.op = op;
    this.node = node;
    this.reason = reason;
  }
}

/** A value that does not fit the quantized arithmetic (an input of the wrong length, a bound past the field). */
export class QuantizationError extends Error {
  override readonly name = 'QuantizationError';
}
