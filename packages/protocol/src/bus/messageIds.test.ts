/**
 * Message ids: one id per (chain, deployment, assignment, announcement), whatever the spelling of the addresses and
 * hashes, so JetStream's de-duplication drops exactly the repeats and nothing else. (The node's
 * `bus/messageIds.test.ts` runs the same ids through a real JetStream stream.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Address, Hex } from 'viem';
import { assignmentMessageId, messageScope, revealMessageId } from './messageIds.ts';

const market: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const provider: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const blockHash: Hex = `0x${'Ab'.repeat(32)}`;
const scope = { chainId: 31337, computeMarket: market };
const assignment = { jobId: 1n, provider, blockHash };

describe('message ids', () => {
  test('spell chain, market, job, provider and block hash in lower case', () => {
    assert.equal(messageScope(scope), '31337:0x5fbdb2315678afecb367f032d93f642f64180aa3');
    assert.equal(
      assignmentMessageId(scope, assignment, 2),
      `assign:31337:${market.toLowerCase()}:1:${provider.toLowerCase()}:0x${'ab'.repeat(32)}:2`,
    );
    assert.equal(
      revealMessageId(scope, assignment),
      `reveal:31337:${market.toLowerCase()}:1:${provider.toLowerCase()}:0x${'ab'.repeat(32)}`,
    );
  });

  test('two spellings of one assignment are one id', () => {
    const upper = {
      ...assignment,
      provider: provider.toLowerCase() as Address,
      blockHash: blockHash.toLowerCase() as Hex,
    };
    assert.equal(assignmentMessageId(scope, upper, 1), assignmentMessageId(scope, assignment, 1));
    assert.equal(
      revealMessageId({ ...scope, computeMarket: market.toLowerCase() as Address }, upper),
      revealMessageId(scope, assignment),
    );
  });

  test('differ across chains, deployments, assignment blocks and announcements', () => {
    const ids = new Set([
      assignmentMessageId(scope, assignment, 1),
      assignmentMessageId({ ...scope, chainId: 1 }, assignment, 1),
      assignmentMessageId({ ...scope, computeMarket: provider }, assignment, 1),
      assignmentMessageId(scope, { ...assignment, blockHash: `0x${'cd'.repeat(32)}` }, 1),
      assignmentMessageId(scope, assignment, 2),
      revealMessageId(scope, assignment),
    ]);
    assert.equal(ids.size, 6);
  });
});
