/** Value parsers of the command line: amounts, royalties, durations, ids, and strict flag parsing. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nodeUrl, parse, parseAmount, parseDuration, parseId, parseRoyalty } from './args.ts';
import { UsageError } from './errors.ts';

const usage = (pattern: RegExp) => (error: unknown) => error instanceof UsageError && pattern.test(error.message);

describe('parseRoyalty', () => {
  test('reads percentages and basis points', () => {
    assert.equal(parseRoyalty('5%'), 500);
    assert.equal(parseRoyalty('2.5%'), 250);
    assert.equal(parseRoyalty('0%'), 0);
    assert.equal(parseRoyalty('500bps'), 500);
    assert.equal(parseRoyalty('10%'), 1000);
  });
  test('refuses a bare number, another unit, and more than the 10% cap', () => {
    assert.throws(() => parseRoyalty('5'), usage(/write 5% or 500bps/));
    assert.throws(() => parseRoyalty('5 percent'), usage(/not a royalty/));
    assert.throws(() => parseRoyalty('1001bps'), usage(/cap/));
    assert.throws(() => parseRoyalty('10.5%'), usage(/cap/));
  });
});

describe('parseDuration', () => {
  test('reads seconds and s, m, h, d, w suffixes', () => {
    assert.equal(parseDuration('3600'), 3600);
    assert.equal(parseDuration('90s'), 90);
    assert.equal(parseDuration('45m'), 2700);
    assert.equal(parseDuration('12h'), 43_200);
    assert.equal(parseDuration('30d'), 2_592_000);
    assert.equal(parseDuration('2w'), 1_209_600);
  });
  test('refuses zero and other shapes', () => {
    assert.throws(() => parseDuration('0'), usage(/must be positive/));
    assert.throws(() => parseDuration('1 month'), usage(/not a duration/));
    assert.throws(() => parseDuration('-5d'), usage(/not a duration/));
  });
});

describe('parseAmount', () => {
  test('reads whole units with the token decimals, and base units with a wei suffix', () => {
    assert.equal(parseAmount('0.5', 18), 5n * 10n ** 17n);
    assert.equal(parseAmount('12', 6), 12_000_000n);
    assert.equal(parseAmount('1000wei', 18), 1000n);
    assert.equal(parseAmount('1000wei', undefined), 1000n);
  });
  test('refuses more decimals than the token has, negative numbers, and units of an unknown token', () => {
    assert.throws(() => parseAmount('0.0000001', 6), usage(/more than 6 decimals/));
    assert.throws(() => parseAmount('-1', 18), usage(/not an amount/));
    assert.throws(() => parseAmount('1e18', 18), usage(/not an amount/));
    assert.throws(() => parseAmount('1', undefined), usage(/give the amount in wei/));
  });
});

describe('parse and friends', () => {
  test('parse returns typed flags and positionals, and turns parseArgs errors into UsageError', () => {
    const { values, positionals } = parse(
      ['a.bin', '--name', 'n', '--json'],
      {
        name: { type: 'string' },
        json: { type: 'boolean' },
      },
      { positionals: 1, required: 1 },
    );
    assert.deepEqual(positionals, ['a.bin']);
    assert.equal(values.name, 'n');
    assert.equal(values.json, true);
    assert.throws(() => parse(['--nope'], {}), usage(/Unknown option '--nope'/));
    assert.throws(() => parse(['a', 'b'], {}, { positionals: 1 }), usage(/Unexpected argument "b"/));
    assert.throws(() => parse([], {}, { positionals: 1, required: 1, names: ['<path>'] }), usage(/Missing <path>/));
  });
  test('nodeUrl prefers --node, then SOUK_NODE_URL, then the local default', () => {
    assert.equal(nodeUrl('http://a:1', { SOUK_NODE_URL: 'http://b:2' }), 'http://a:1');
    assert.equal(nodeUrl(undefined, { SOUK_NODE_URL: 'http://b:2' }), 'http://b:2');
    assert.equal(nodeUrl(undefined, {}), 'http://127.0.0.1:8080');
    assert.throws(() => nodeUrl('not a url', {}), usage(/not a URL/));
  });
  test('parseId accepts decimal integers only', () => {
    assert.equal(parseId('42', 'id'), 42n);
    assert.throws(() => parseId('0x2a', 'id'), usage(/non-negative integer/));
  });
});
