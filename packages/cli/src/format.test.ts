/** Output helpers: tables, amounts with units, sizes, durations, the progress bar and bigint-safe JSON. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatAmount, formatBytes, formatDuration, progressBar, table, toJson } from './format.ts';

describe('format', () => {
  test('table aligns columns under their header and trims trailing spaces', () => {
    assert.equal(
      table(
        ['ID', 'NAME', 'X'],
        [
          ['1', 'ocr', ''],
          ['12', 'a', 'y'],
        ],
      ),
      'ID  NAME  X\n1   ocr\n12  a     y',
    );
  });
  test('formatAmount shows whole units with the symbol, or base units for an unknown token', () => {
    assert.equal(formatAmount(15n * 10n ** 17n, { symbol: 'ETH', decimals: 18 }), '1.5 ETH');
    assert.equal(formatAmount('12000000', { symbol: 'mUSD', decimals: 6 }), '12 mUSD');
    assert.equal(formatAmount(7n, { symbol: '0xabc', decimals: undefined }), '7 wei of 0xabc');
  });
  test('formatBytes and formatDuration read naturally', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
    assert.equal(formatDuration(0), 'perpetual');
    assert.equal(formatDuration(null), 'perpetual');
    assert.equal(formatDuration(2_592_000), '30d');
    assert.equal(formatDuration('93784'), '1d 2h');
  });
  test('progressBar fills with the share sent and prints sizes', () => {
    assert.equal(progressBar(512, 1024, 10), '[#####-----]  50%  512 B / 1.0 KiB');
    assert.equal(progressBar(0, 0, 4), '[####] 100%  0 B / 0 B');
  });
  test('toJson writes bigints as decimal strings', () => {
    assert.deepEqual(JSON.parse(toJson({ wei: 10n ** 20n })), { wei: '100000000000000000000' });
  });
});
