import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DecideSettings, decide, resumeAfterRestart } from './decide.ts';
import { initialState, type OrderState, type Slot } from './state.ts';

const settings: DecideSettings = {
  commitTimeoutMs: 60_000,
  receiptTimeoutMs: 5_000,
  maxAnnouncements: 3,
  minWorkingSeconds: 10,
  settlementMarginSeconds: 0,
};
const order = { redundancy: 2, deadline: 1_000 };
const clock = { nowMs: 100_000, chainTime: 500 };
const H1 = `0x${'1'.repeat(64)}` as const;
const H2 = `0x${'2'.repeat(64)}` as const;
const C = `0x${'c'.repeat(64)}` as const;

function slot(provider: string, extra: Partial<Slot> = {}): Slot {
  return { provider, assignedAtMs: 99_000, announcements: 1, lastAnnouncedAtMs: 99_000, received: true, ...extra };
}
function state(extra: Partial<OrderState>): OrderState {
  return { ...initialState(), ...extra };
}

describe('decide (compute protocol v2)', () => {
  it('assigns all r slots of a new order', () => {
    assert.deepEqual(decide(order, initialState(), clock, settings), [{ type: 'assign', count: 2 }]);
  });

  it('assigns nothing when too little working time is left, and expires at the deadline', () => {
    assert.deepEqual(decide(order, initialState(), { ...clock, chainTime: 995 }, settings), []);
    assert.deepEqual(decide(order, initialState(), { ...clock, chainTime: 1_001 }, settings), [{ type: 'expire' }]);
  });

  it('requests the reveals once, when every slot committed', () => {
    const s = state({ slots: [slot('a', { commitment: C }), slot('b', { commitment: C })] });
    assert.deepEqual(decide(order, s, clock, settings), [{ type: 'requestReveal' }]);
    assert.deepEqual(decide(order, { ...s, revealRequested: true }, clock, settings), []);
  });

  it('replaces a provider that committed but did not reveal within the timeout after the request', () => {
    const s = state({
      revealRequested: true,
      revealRequestedAtMs: 10_000,
      slots: [slot('a', { commitment: C, resultHash: H1 }), slot('b', { commitment: C })],
    });
    assert.deepEqual(decide(order, s, clock, settings), [{ type: 'replace', provider: 'b', why: 'no-reveal' }]);
    assert.deepEqual(decide(order, { ...s, revealRequestedAtMs: 90_000 }, clock, settings), []);
  });

  it('does not request reveals while a slot has not committed', () => {
    const s = state({ slots: [slot('a', { commitment: C }), slot('b')] });
    assert.deepEqual(decide(order, s, clock, settings), []);
  });

  it('agrees when all r revealed the same hash, disputes when they differ', () => {
    const same = state({
      revealRequested: true,
      slots: [slot('a', { commitment: C, resultHash: H1 }), slot('b', { commitment: C, resultHash: H1 })],
    });
    assert.deepEqual(decide(order, same, clock, settings), [{ type: 'agree', resultHash: H1 }]);
    const differ = state({
      revealRequested: true,
      slots: [slot('a', { commitment: C, resultHash: H1 }), slot('b', { commitment: C, resultHash: H2 })],
    });
    assert.deepEqual(decide(order, differ, clock, settings), [{ type: 'dispute' }]);
  });

  it('re-announces an unconfirmed assignment, then replaces the provider (no-receipt)', () => {
    const unconfirmed = (announcements: number) =>
      state({ slots: [slot('a', { received: false, announcements, lastAnnouncedAtMs: 90_000 }), slot('b')] });
    assert.deepEqual(decide(order, unconfirmed(1), clock, settings), [{ type: 'announce', provider: 'a' }]);
    assert.deepEqual(decide(order, unconfirmed(3), clock, settings), [
      { type: 'replace', provider: 'a', why: 'no-receipt' },
    ]);
    // Within the receipt timeout nothing happens.
    assert.deepEqual(decide(order, unconfirmed(1), { ...clock, nowMs: 91_000 }, settings), []);
  });

  it('replaces a provider that did not commit within the commit timeout', () => {
    const s = state({ slots: [slot('a', { assignedAtMs: 10_000 }), slot('b', { commitment: C })] });
    assert.deepEqual(decide(order, s, clock, settings), [{ type: 'replace', provider: 'a', why: 'no-commit' }]);
  });

  it('has the referee reproduce a job-level failure report, and replaces on a provider fault', () => {
    const job = state({
      slots: [slot('a', { failure: { reason: 'not an image', code: 'invalid-input' } }), slot('b')],
    });
    assert.deepEqual(decide(order, job, clock, settings), [{ type: 'reproduce', provider: 'a' }]);
    assert.deepEqual(decide(order, { ...job, failureCheck: 'pending' }, clock, settings), []);
    const own = state({ slots: [slot('a', { failure: { reason: 'out of memory' } }), slot('b')] });
    assert.deepEqual(decide(order, own, clock, settings), [{ type: 'replace', provider: 'a', why: 'provider-fault' }]);
  });

  it('audits, queues and disputes agreed orders by their audit state', () => {
    assert.deepEqual(decide(order, state({ phase: 'agreed' }), clock, settings), [{ type: 'drawAudit' }]);
    assert.deepEqual(decide(order, state({ phase: 'agreed', audit: 'pending' }), clock, settings), [{ type: 'audit' }]);
    assert.deepEqual(decide(order, state({ phase: 'agreed', audit: 'skip' }), clock, settings), [{ type: 'queue' }]);
    assert.deepEqual(decide(order, state({ phase: 'agreed', audit: 'passed' }), clock, settings), [{ type: 'queue' }]);
    assert.deepEqual(decide(order, state({ phase: 'agreed', audit: 'failed' }), clock, settings), [
      { type: 'dispute' },
    ]);
  });

  it('expires a ready order past its deadline (the contract could no longer charge it) and waits while settling', () => {
    assert.deepEqual(decide(order, state({ phase: 'ready' }), clock, settings), []);
    assert.deepEqual(decide(order, state({ phase: 'ready' }), { ...clock, chainTime: 1_001 }, settings), [
      { type: 'expire' },
    ]);
    assert.deepEqual(decide(order, state({ phase: 'settling' }), { ...clock, chainTime: 1_001 }, settings), []);
  });

  it('does nothing for terminal orders', () => {
    for (const phase of ['settled', 'failed', 'expired', 'unpaid'] as const) {
      assert.deepEqual(decide(order, state({ phase }), { ...clock, chainTime: 5_000 }, settings), []);
    }
  });

  describe('tolerance class', () => {
    const tol = { ...order, verification: 1 };
    const S = `0x${'5'.repeat(64)}` as const;
    const revealedBoth = (extra: Partial<OrderState> = {}, a: Partial<Slot> = {}, b: Partial<Slot> = {}) =>
      state({
        revealRequested: true,
        slots: [
          slot('a', { commitment: C, resultHash: H1, signature: S, ...a }),
          slot('b', { commitment: C, resultHash: H2, signature: S, ...b }),
        ],
        ...extra,
      });

    it('compares the revealed results first, where the exact class would dispute different hashes', () => {
      assert.deepEqual(decide(tol, revealedBoth(), clock, settings), [{ type: 'compare' }]);
      assert.deepEqual(decide(order, revealedBoth(), clock, settings), [{ type: 'dispute' }]);
    });

    it('disputes results outside tolerance of each other', () => {
      const s = revealedBoth({ comparison: { agree: false, reason: 'element 3' } });
      assert.deepEqual(decide(tol, s, clock, settings), [{ type: 'dispute' }]);
    });

    it('asks for attestations of the representative once, then agrees on its hash when every slot attested', () => {
      const comparison = { agree: true as const, representative: 'b' };
      assert.deepEqual(decide(tol, revealedBoth({ comparison }), clock, settings), [{ type: 'requestAttestation' }]);
      const asked = revealedBoth(
        { comparison, attestRequestedAtMs: clock.nowMs },
        {},
        { agreement: { resultHash: H2, signature: S } },
      );
      assert.deepEqual(decide(tol, asked, clock, settings), []);
      const all = revealedBoth(
        { comparison, attestRequestedAtMs: clock.nowMs },
        { agreement: { resultHash: H2, signature: S } },
        { agreement: { resultHash: H2, signature: S } },
      );
      assert.deepEqual(decide(tol, all, clock, settings), [{ type: 'agree', resultHash: H2 }]);
    });

    it('disputes when a provider contests the representative or does not attest within the commit timeout', () => {
      const comparison = { agree: true as const, representative: 'a' };
      const contested = revealedBoth({ comparison, attestRequestedAtMs: clock.nowMs }, {}, { contested: 'no' });
      assert.deepEqual(decide(tol, contested, clock, settings), [{ type: 'dispute' }]);
      const silent = revealedBoth({ comparison, attestRequestedAtMs: clock.nowMs - settings.commitTimeoutMs });
      assert.deepEqual(decide(tol, silent, clock, settings), [{ type: 'dispute' }]);
    });

    it('still expires at the deadline', () => {
      assert.deepEqual(decide(tol, revealedBoth(), { ...clock, chainTime: 1_001 }, settings), [{ type: 'expire' }]);
    });
  });

  it('resumes a running order after a restart by announcing every unrevealed slot again (nobody replaced for the crash)', () => {
    const before = state({
      slots: [slot('a', { commitment: C }), slot('b', { received: true })],
      revealRequested: false,
    });
    const after = resumeAfterRestart(before, 200_000);
    for (const s of after.slots) {
      assert.equal(s.received, false);
      assert.equal(s.commitment, undefined);
      assert.equal(s.assignedAtMs, 200_000, 'the commit timeout starts again');
    }
    assert.equal(after.leaked, false, 'nothing was revealed: nobody can have copied an answer');
    const actions = decide(order, after, { ...clock, nowMs: 200_000 }, settings);
    assert.deepEqual(actions, [
      { type: 'announce', provider: 'a' },
      { type: 'announce', provider: 'b' },
    ]);
    // Long after the old assignment time, still no replacement: the slots were announced again at the restart.
    assert.deepEqual(
      decide(order, { ...after, slots: after.slots.map((s) => ({ ...s, received: true })) }, clock, settings).filter(
        (a) => a.type === 'replace',
      ),
      [],
    );
  });

  it('keeps revealed results across a restart and marks the order leaked when a slot must commit again', () => {
    const before = state({
      slots: [slot('a', { commitment: C, resultHash: H1, signature: C }), slot('b', { commitment: C })],
      revealRequested: true,
      revealRequestedAtMs: 99_500,
    });
    const after = resumeAfterRestart(before, 200_000);
    assert.equal(after.slots[0].resultHash, H1);
    assert.equal(after.slots[0].commitment, C);
    assert.equal(after.slots[1].commitment, undefined);
    assert.equal(after.revealRequested, false, 'asked again once b has committed again');
    assert.equal(after.leaked, true, "b could have seen a's answer: always audited");
  });

  it('asks the referee again after a restart that interrupted its reproduction of a failure report (regression: the order waited for a verdict that never came)', () => {
    const before = state({
      slots: [slot('a', { received: true, failure: { reason: 'not a readable image', code: 'invalid-input' } })],
      failureCheck: 'pending',
    });
    assert.deepEqual(decide(order, before, clock, settings), [], 'while the referee runs, nothing else happens');
    const after = resumeAfterRestart(before, 200_000);
    assert.equal(after.failureCheck, undefined);
    assert.deepEqual(
      decide(order, after, { ...clock, nowMs: 200_000 }, settings).filter((a) => a.type === 'reproduce'),
      [{ type: 'reproduce', provider: 'a' }],
    );
  });

  it('leaves orders past the running phase, and running orders whose slots all revealed, as they are', () => {
    const agreed = state({ phase: 'agreed', slots: [slot('a', { commitment: C })] });
    assert.equal(resumeAfterRestart(agreed, 200_000), agreed);
    const done = state({ slots: [slot('a', { commitment: C, resultHash: H2 })] });
    assert.equal(resumeAfterRestart(done, 200_000), done);
  });
});
