import { describe, expect, test } from 'vitest';
import { info } from '../test/render.tsx';
import { currencyOf } from './format.ts';
import { emptyPublishForm, type PublishForm, validatePublishForm } from './publishForm.ts';

const file = new Blob([new Uint8Array([1, 2, 3])]);
const validate = (patch: Partial<PublishForm>, f: Blob | null = file) =>
  validatePublishForm({ ...emptyPublishForm, name: 'My OCR', ...patch }, f, (a) => currencyOf(info, a));

describe('the publish form', () => {
  test('asks for a file and a name', () => {
    const result = validatePublishForm(emptyPublishForm, null, (a) => currencyOf(info, a));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.file).toMatch(/Choose the file/);
      expect(result.errors.name).toMatch(/name/);
    }
  });

  test('builds the manifest, licence terms and listing of a runnable model', () => {
    const result = validate({
      pipeline: 'ocr',
      modelCard: '# Card',
      price: '0.01',
      durationDays: '30',
      royaltyPercent: '2.5',
      list: true,
      listPrice: '1',
    });
    expect(result).toEqual({
      ok: true,
      plan: {
        asset: {
          name: 'My OCR',
          kind: 'model',
          runtime: { engine: 'onnxruntime', pipeline: 'ocr' },
          modelCard: '# Card',
          license: { terms: 'LicenseRef-Proprietary', price: '10000000000000000', durationSeconds: 2_592_000 },
          royaltyBps: 250,
        },
        licence: {
          price: 10n ** 16n,
          currency: '0x0000000000000000000000000000000000000000',
          durationSeconds: 2_592_000,
        },
        listing: { price: 10n ** 18n, currency: '0x0000000000000000000000000000000000000000' },
        encrypt: true,
      },
    });
  });

  test('refuses a royalty above 10 % and more decimals than the currency has', () => {
    const result = validate({ royaltyPercent: '12', price: '0.1234567', currency: info.stablecoin as string });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.royaltyPercent).toMatch(/0 to 10/);
      expect(result.errors.price).toMatch(/mUSD has 6 decimals/);
    }
  });

  test('checks tensor declarations', () => {
    const bad = validate({ pipeline: 'onnx', inputs: '[{"name":"x","dtype":"Float 32","shape":[1]}]' });
    expect(!bad.ok && bad.errors.inputs).toMatch(/dtype/);
    const notJson = validate({ pipeline: 'onnx', outputs: '[{' });
    expect(!notJson.ok && notJson.errors.outputs).toMatch(/Not valid JSON/);
    const good = validate({ pipeline: 'onnx', inputs: '[{"name":"x","dtype":"float32","shape":["batch",3]}]' });
    expect(good.ok && good.plan.asset.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['batch', 3] }]);
  });

  test('gives a dataset no runtime and needs a price for a duration or a listing', () => {
    const dataset = validate({ kind: 'dataset', pipeline: 'ocr' });
    expect(dataset.ok && dataset.plan.asset.runtime).toBeUndefined();
    const result = validate({ durationDays: '7', list: true });
    expect(!result.ok && result.errors).toMatchObject({
      durationDays: expect.stringMatching(/licence price/),
      listPrice: expect.stringMatching(/sale price/),
    });
  });
});
