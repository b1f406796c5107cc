import { describe, expect, test } from 'vitest';
import { info } from '../test/render.tsx';
import { currencyOf, formatAmount, formatBps, formatBytes, formatDuration, shortAddress } from './format.ts';

describe('amounts', () => {
  test('shows wei of the native currency as ETH with grouped digits', () => {
    expect(formatAmount('1500000000000000000', currencyOf(info, null))).toBe('1.5 ETH');
    expect(formatAmount(12_345n * 10n ** 18n, currencyOf(info, null))).toBe('12,345 ETH');
  });
  test('knows SOUK (18 decimals) and the devnet stablecoin mUSD (6 decimals)', () => {
    expect(formatAmount('1000000000000000000000', currencyOf(info, info.contracts.soukToken))).toBe('1,000 SOUK');
    expect(formatAmount('12500000', currencyOf(info, info.stablecoin?.toUpperCase().replace('0X', '0x')))).toBe(
      '12.5 mUSD',
    );
  });
  test('shows an unknown token in base units', () => {
    expect(formatAmount('42', currencyOf(info, '0x1111111111111111111111111111111111111111'))).toBe(
      '42 base units of 0x1111…1111',
    );
  });
  test('shows a dash for a missing amount', () => {
    expect(formatAmount(null, currencyOf(info, null))).toBe('—');
  });
});

test('durations, sizes, basis points and addresses read naturally', () => {
  expect(formatDuration(0)).toBe('perpetual');
  expect(formatDuration('3600')).toBe('60 min');
  expect(formatDuration(30 * 86_400)).toBe('30 days');
  expect(formatBytes(16_179_200)).toBe('16 MB');
  expect(formatBps(500)).toBe('5 %');
  expect(shortAddress('0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266')).toBe('0xf39f…2266');
});
