/**
 * Compute message ids are unique per chain, deployment and assignment, so JetStream's de-duplication (a repeated
 * `Nats-Msg-Id` inside the duplicate window is stored once) never drops an assignment of a fresh chain that reuses
 * job ids on the same stream. Runs on the machine's NATS JetStream (nats://127.0.0.1:4222, or `NATS_TEST_URL`) with
 * a fresh stream, deleted afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { assignmentMessageId, messageScope, revealMessageId } from '@souk/protocol';
import type { Address, Hex } from 'viem';
import { serviceUnavailable, TEST_NATS_URL } from '../testing/services.ts';
import { createNatsBus } from './nats.ts';
import type { BusMessage } from './types.ts';

const NATS_URL = TEST_NATS_URL;
/** Why the test skips (a reason naming the address), or false; throws under SOUK_REQUIRE_SERVICES=1. */
const natsSkip = await serviceUnavailable('nats', { url: NATS_URL });

const provider = '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720' as Address;
const marketA = '0x5FC8d32690cc91D4c39d9d3abcBD16989F875707' as Address;
const marketB = '0x0165878A594ca255338adfa4d48449f69242Eb8F' as Address;
// A fresh devnet replays the same deployment transactions (same addresses, same transaction hashes): only the
// blocks differ (their timestamps).
const blockOld = `0x${'1a'.repeat(32)}` as Hex;
const blockFresh = `0x${'2b'.repeat(32)}` as Hex;

test('assignment ids differ across chains and deployments with the same NATS stream', {
  skip: natsSkip,
  timeout: 30_000,
}, async () => {
  const run = randomBytes(4).toString('hex');
  const stream = `SOUK_TEST_IDS_${run}`;
  const bus = await createNatsBus({ servers: NATS_URL, stream, subjectPrefix: `soukids${run}`, consumerPrefix: 'ids' });
  try {
    const received: BusMessage<{ label: string }>[] = [];
    let done: () => void = () => {};
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    // Job 1 of provider P, assigned on: the old chain, a fresh chain (same chain id and deployment), another
    // deployment on the same chain, and another chain — all on one stream, inside one duplicate window.
    const cases = [
      { label: 'old chain', scope: { chainId: 31337, computeMarket: marketA }, blockHash: blockOld },
      { label: 'fresh chain', scope: { chainId: 31337, computeMarket: marketA }, blockHash: blockFresh },
      { label: 'other deployment', scope: { chainId: 31337, computeMarket: marketB }, blockHash: blockOld },
      { label: 'other chain', scope: { chainId: 8453, computeMarket: marketA }, blockHash: blockOld },
    ];
    const subscription = await bus.subscribe<{ label: string }>(
      bus.subjects.assigned(provider.toLowerCase()),
      (message) => {
        received.push(message);
        if (received.length === cases.length + 1) done();
      },
      { durable: `provider-${run}` },
    );
    for (const { label, scope, blockHash } of cases) {
      const id = assignmentMessageId(scope, { jobId: 1n, provider, blockHash }, 1);
      const ack = await bus.publish(bus.subjects.assigned(provider.toLowerCase()), { label }, { id });
      assert.equal(ack.duplicate, false, `${label}: ${id} was taken for a duplicate`);
    }
    // A re-announcement of the same assignment is a new message too …
    const again = assignmentMessageId(cases[1].scope, { jobId: 1n, provider, blockHash: blockFresh }, 2);
    assert.equal(
      (await bus.publish(bus.subjects.assigned(provider.toLowerCase()), { label: 'again' }, { id: again })).duplicate,
      false,
    );
    // … while a retried publish of one announcement is still recognised (at-least-once without double delivery).
    const retry = assignmentMessageId(cases[1].scope, { jobId: 1n, provider, blockHash: blockFresh }, 2);
    assert.equal(
      (await bus.publish(bus.subjects.assigned(provider.toLowerCase()), { label: 'retry' }, { id: retry })).duplicate,
      true,
    );

    await Promise.race([
      all,
      new Promise((_, reject) => setTimeout(() => reject(new Error('messages missing')), 15_000)),
    ]);
    await subscription.close();
    assert.deepEqual(
      received.map((m) => m.data.label),
      [...cases.map((c) => c.label), 'again'],
    );
    assert.equal(new Set(received.map((m) => m.id)).size, received.length);
    // Reveal nudges are scoped the same way; the scope prefix is what the coordinator filters notices with.
    assert.notEqual(
      revealMessageId(cases[0].scope, { jobId: 1n, provider, blockHash: blockOld }),
      revealMessageId(cases[1].scope, { jobId: 1n, provider, blockHash: blockFresh }),
    );
    assert.equal(messageScope(cases[0].scope), `31337:${marketA.toLowerCase()}`);
  } finally {
    await bus.close();
    const nc = await connect({ servers: NATS_URL });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => {});
    await nc.close();
  }
});
