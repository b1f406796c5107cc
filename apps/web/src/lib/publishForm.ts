/**
 * The publish form: its fields as typed, validation with one message per field (the node's own limits), and the
 * parameters of `publishAsset`, `setLicenceTerms` and `listAsset` it turns into.
 */
import type { PublishAssetParameters, TensorSpec } from '@souk/sdk';
import { parseUnits } from 'viem';
import type { Currency } from './format.ts';

/** The form as typed (every field a string or a boolean, as inputs hold them). */
export type PublishForm = {
  name: string;
  kind: 'model' | 'agent' | 'dataset';
  description: string;
  /** `''` (no runtime), `ocr`, `onnx`, or another pipeline name. */
  pipeline: string;
  /** Runtime engine. @default 'onnxruntime' */
  engine: string;
  /** JSON array of tensors, or empty. */
  inputs: string;
  outputs: string;
  /** Markdown. */
  modelCard: string;
  /** SPDX id, URL or text. */
  terms: string;
  /** Licence price in whole units of `currency` (`0.01`); empty: no licence sales. */
  price: string;
  /** Address of the currency (`0x000…0` native). */
  currency: string;
  /** Licence duration in days; empty or 0: perpetual. */
  durationDays: string;
  /** Royalty on resales, percent (0–10). */
  royaltyPercent: string;
  /** Encrypt the content (licensed download). */
  encrypt: boolean;
  /** Also list the NFT itself for sale. */
  list: boolean;
  /** Sale price in whole units of `currency`; empty: the licence price. */
  listPrice: string;
};

export const emptyPublishForm: PublishForm = {
  name: '',
  kind: 'model',
  description: '',
  pipeline: '',
  engine: 'onnxruntime',
  inputs: '',
  outputs: '',
  modelCard: '',
  terms: 'LicenseRef-Proprietary',
  price: '',
  currency: '0x0000000000000000000000000000000000000000',
  durationDays: '',
  royaltyPercent: '5',
  encrypt: true,
  list: false,
  listPrice: '',
};

/** What a valid form publishes. */
export type PublishPlan = {
  /** `publishAsset` parameters, without the `uploadId` (known after the upload). */
  asset: Omit<PublishAssetParameters, 'uploadId' | 'mint'>;
  /** Open licence sales at this price (wei of `currency`), or not. */
  licence: { price: bigint; currency: string; durationSeconds: number } | null;
  /** List the NFT at this price, or not. */
  listing: { price: bigint; currency: string } | null;
  encrypt: boolean;
};

export type PublishValidation =
  | { ok: true; plan: PublishPlan }
  | { ok: false; errors: Partial<Record<keyof PublishForm | 'file', string>> };

const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;

/** `0.01` in `currency` → wei, or a message. */
function amount(text: string, currency: Currency, what: string): bigint | string {
  const value = text.trim();
  if (!DECIMAL.test(value)) return `${what} must be a number such as 0.01.`;
  const decimals = currency.decimals ?? 0;
  if ((value.split('.')[1] ?? '').length > decimals) {
    return `${currency.symbol} has ${decimals} decimals: use at most ${decimals} digits after the point.`;
  }
  const wei = parseUnits(value, decimals);
  if (wei === 0n) return `${what} must be more than 0.`;
  if (wei >= 2n ** 96n) return `${what} is too large.`;
  return wei;
}

/** A JSON array of `{ name, dtype, shape }` → tensors, or a message. */
function tensors(text: string): TensorSpec[] | string | undefined {
  if (!text.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'Not valid JSON: write an array such as [{"name":"x","dtype":"float32","shape":["batch",3]}].';
  }
  if (!Array.isArray(value)) return 'Write a JSON array of tensors.';
  if (value.length > 256) return 'At most 256 tensors.';
  for (const [i, t] of value.entries()) {
    const tensor = t as Partial<TensorSpec>;
    if (typeof tensor?.name !== 'string' || tensor.name.length === 0) return `Tensor ${i + 1} needs a name.`;
    if (typeof tensor.dtype !== 'string' || !/^[a-z][a-z0-9_]{0,31}$/.test(tensor.dtype)) {
      return `Tensor "${tensor.name}" needs a dtype such as float32.`;
    }
    if (
      !Array.isArray(tensor.shape) ||
      !tensor.shape.every((d) => (Number.isInteger(d) && (d as number) >= 0) || (typeof d === 'string' && d !== ''))
    ) {
      return `Tensor "${tensor.name}" needs a shape: sizes (≥ 0) or names of dynamic dimensions.`;
    }
  }
  return value as TensorSpec[];
}

/**
 * Validates the form against the node's limits and builds what to publish.
 * @param form - The fields.
 * @param file - The chosen file, if any.
 * @param currencyOf - Resolves the currency address to its symbol and decimals.
 * @example
 * ```ts
 * const result = validatePublishForm(form, file, (a) => currencyOf(info, a))
 * if (!result.ok) setErrors(result.errors)
 * ```
 */
export function validatePublishForm(
  form: PublishForm,
  file: Blob | null | undefined,
  currencyOf: (address: string) => Currency,
): PublishValidation {
  const errors: Partial<Record<keyof PublishForm | 'file', string>> = {};
  if (!file) errors.file = 'Choose the file to publish.';
  else if (file.size === 0) errors.file = 'The file is empty.';
  const name = form.name.trim();
  if (!name) errors.name = 'Give the asset a name.';
  else if (name.length > 200) errors.name = 'At most 200 characters.';
  if (form.description.length > 10_000) errors.description = 'At most 10,000 characters.';
  if (form.modelCard.length > 262_144) errors.modelCard = 'At most 256 KiB of Markdown.';
  const terms = form.terms.trim();
  if (!terms) errors.terms = 'Name the licence, e.g. Apache-2.0 or LicenseRef-Proprietary.';
  const royalty = Number(form.royaltyPercent);
  if (form.royaltyPercent.trim() === '' || !Number.isFinite(royalty) || royalty < 0 || royalty > 10) {
    errors.royaltyPercent = 'Royalty is a percentage from 0 to 10.';
  } else if (Math.abs(Math.round(royalty * 100) - royalty * 100) > 1e-6) {
    errors.royaltyPercent = 'At most two decimals (basis points).';
  }
  const runnable = form.kind !== 'dataset' && form.pipeline.trim() !== '';
  if (runnable && !/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(form.pipeline.trim())) {
    errors.pipeline = 'A pipeline name: letters, digits, dots, dashes (e.g. ocr, onnx).';
  }
  if (runnable && !form.engine.trim()) errors.engine = 'Name the runtime engine, e.g. onnxruntime.';
  const inputs = form.kind === 'dataset' ? undefined : tensors(form.inputs);
  if (typeof inputs === 'string') errors.inputs = inputs;
  const outputs = form.kind === 'dataset' ? undefined : tensors(form.outputs);
  if (typeof outputs === 'string') errors.outputs = outputs;

  const currency = currencyOf(form.currency);
  let licence: PublishPlan['licence'] = null;
  if (form.price.trim()) {
    const price = amount(form.price, currency, 'The licence price');
    if (typeof price === 'string') errors.price = price;
    const days = form.durationDays.trim() === '' ? 0 : Number(form.durationDays);
    if (!Number.isFinite(days) || days < 0 || days > 36_500) errors.durationDays = 'Days from 0 (perpetual) to 36,500.';
    if (typeof price === 'bigint' && !errors.durationDays) {
      licence = { price, currency: currency.address, durationSeconds: Math.round(days * 86_400) };
    }
  } else if (form.durationDays.trim() && Number(form.durationDays) !== 0) {
    errors.durationDays = 'A duration needs a licence price.';
  }
  let listing: PublishPlan['listing'] = null;
  if (form.list) {
    const text = form.listPrice.trim() || form.price.trim();
    if (!text) errors.listPrice = 'Give a sale price (or a licence price to reuse).';
    else {
      const price = amount(text, currency, 'The sale price');
      if (typeof price === 'string') errors.listPrice = price;
      else listing = { price, currency: currency.address };
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const asset: PublishPlan['asset'] = {
    name,
    kind: form.kind,
    ...(form.description.trim() ? { description: form.description.trim() } : {}),
    ...(runnable ? { runtime: { engine: form.engine.trim(), pipeline: form.pipeline.trim() } } : {}),
    ...(inputs && typeof inputs !== 'string' ? { inputs } : {}),
    ...(outputs && typeof outputs !== 'string' ? { outputs } : {}),
    ...(form.modelCard.trim() ? { modelCard: form.modelCard } : {}),
    license: {
      terms,
      ...(licence ? { price: String(licence.price) } : {}),
      ...(licence && licence.currency !== '0x0000000000000000000000000000000000000000'
        ? { currency: licence.currency }
        : {}),
      ...(licence && licence.durationSeconds > 0 ? { durationSeconds: licence.durationSeconds } : {}),
    },
    royaltyBps: Math.round(royalty * 100),
  };
  return { ok: true, plan: { asset, licence, listing, encrypt: form.encrypt } };
}
