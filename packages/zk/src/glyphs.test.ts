/**
 * Quantization on a real classifier: a 256→32→36 MLP trained by the training engine on rendered glyphs (digits and
 * letters in the DejaVu faces), scored on held-out faces in float and in int8 (the circuit's arithmetic).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GLYPH_CLASSES, GLYPH_SIZE, type Glyph, packGlyphs, renderGlyphs } from '@souk/provider/test-utils/glyphs';
import { trainClassifier } from '@souk/provider/training';
import { readOnnxMlp } from './onnxMlp.ts';
import { evaluateQuantization, quantizeMlp } from './quantize.ts';

const FEATURES = GLYPH_SIZE * GLYPH_SIZE;

describe('int8 quantization of a trained glyph classifier', () => {
  it('keeps the accuracy on held-out fonts within 3 points of the float model', async (t) => {
    const glyphs = renderGlyphs([12]);
    const faces = [...new Set(glyphs.map((g) => g.font))];
    const held = (g: Glyph) => faces.indexOf(g.font) % 4 === 3;
    const toSet = (gs: Glyph[]) => {
      const { samples, labels } = packGlyphs(gs);
      return {
        x: Float32Array.from(samples, (v) => v / 255),
        y: labels,
        features: FEATURES,
        sampleShape: [GLYPH_SIZE, GLYPH_SIZE],
      };
    };
    const train = toSet(glyphs.filter((g) => !held(g)));
    const test = toSet(glyphs.filter(held));
    const trained = await trainClassifier({
      dataset: train,
      classes: GLYPH_CLASSES.length,
      template: { kind: 'mlp', hidden: [32] },
      hyperparameters: { epochs: 12, batchSize: 32, learningRate: 0.01, seed: 7 },
    });
    const model = readOnnxMlp(trained.onnx);
    const q = quantizeMlp(model, train.x.subarray(0, 200 * FEATURES));
    const report = evaluateQuantization(model, q, test.x, test.y);
    t.diagnostic(
      `256→32→36 on ${report.samples} held-out glyphs: float ${(report.floatAccuracy * 100).toFixed(1)} %, ` +
        `int8 ${(report.quantizedAccuracy * 100).toFixed(1)} %, agreement ${(report.agreement * 100).toFixed(1)} %`,
    );
    assert.ok(report.floatAccuracy > 0.5, `float accuracy ${report.floatAccuracy}`);
    assert.ok(report.quantizedAccuracy >= report.floatAccuracy - 0.03, JSON.stringify(report));
  });
});
