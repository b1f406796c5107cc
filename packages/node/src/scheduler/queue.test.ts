import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JobDeadlinePassedError, QueueFullError } from './errors.ts';
import { createJobQueue, jobPriority, type QueuedJob } from './queue.ts';
import { seededRandom } from './testing.ts';

const clock = (start = 1_000_000) => {
  const c = { t: start, now: () => c.t };
  return c;
};
const job = (jobId: bigint, rewardWei: bigint, deadlineMs: number): QueuedJob<string> => ({
  jobId,
  rewardWei,
  deadlineMs,
  data: `job ${jobId}`,
});
const drain = <T>(q: { dequeue(): QueuedJob<T> | undefined }) => {
  const out: bigint[] = [];
  for (let j = q.dequeue(); j !== undefined; j = q.dequeue()) out.push(j.jobId);
  return out;
};

describe('job queue', () => {
  describe('ordering', () => {
    test('a higher reward goes first at equal slack', () => {
      const c = clock();
      const q = createJobQueue<string>({ now: c.now });
      q.enqueue(job(1n, 10n, c.t + 60_000));
      q.enqueue(job(2n, 30n, c.t + 60_000));
      q.enqueue(job(3n, 20n, c.t + 60_000));
      assert.deepEqual(drain(q), [2n, 3n, 1n]);
    });

    test('a tighter deadline goes first at equal reward', () => {
      const c = clock();
      const q = createJobQueue<string>({ now: c.now });
      q.enqueue(job(1n, 10n, c.t + 600_000));
      q.enqueue(job(2n, 10n, c.t + 60_000));
      q.enqueue(job(3n, 10n, c.t + 120_000));
      assert.deepEqual(drain(q), [2n, 3n, 1n]);
    });

    test('reward per second of slack decides between a rich and an urgent job', () => {
      const now = 0;
      const rich = jobPriority({ rewardWei: 100n, deadlineMs: 100_000, now });
      const urgent = jobPriority({ rewardWei: 20n, deadlineMs: 10_000, now });
      assert.ok(urgent > rich); // 2 wei/s vs 1 wei/s
      assert.equal(jobPriority({ rewardWei: 5n, deadlineMs: 10, now, minSlackMs: 1000 }), 5); // slack floored
      assert.equal(jobPriority({ rewardWei: 60n, deadlineMs: 90_000, estimatedRunMs: 30_000, now }), 1);
    });

    test('equal priorities leave in arrival order (FIFO)', () => {
      const c = clock();
      const q = createJobQueue<string>({ now: c.now });
      for (let i = 1n; i <= 50n; i++) q.enqueue(job(i, 7n, c.t + 60_000));
      assert.deepEqual(
        drain(q),
        Array.from({ length: 50 }, (_, i) => BigInt(i + 1)),
      );
    });

    test('matches a sorted reference under random enqueues and removals', () => {
      const c = clock();
      const random = seededRandom(9);
      const q = createJobQueue<string>({ now: c.now });
      const reference: { id: bigint; p: number; seq: number }[] = [];
      for (let i = 0; i < 2000; i++) {
        const id = BigInt(i);
        const j = job(id, BigInt(1 + Math.floor(random() * 20)), c.t + 1000 * (1 + Math.floor(random() * 10)));
        q.enqueue(j);
        reference.push({ id, p: jobPriority({ rewardWei: j.rewardWei, deadlineMs: j.deadlineMs, now: c.t }), seq: i });
        if (random() < 0.3) {
          const victim = reference.splice(Math.floor(random() * reference.length), 1)[0];
          assert.equal(q.remove(victim.id), true);
        }
      }
      reference.sort((a, b) => b.p - a.p || a.seq - b.seq);
      assert.equal(q.size, reference.length);
      assert.deepEqual(
        q.toArray().map((j) => j.jobId),
        reference.map((r) => r.id),
      );
      assert.deepEqual(
        drain(q),
        reference.map((r) => r.id),
      );
    });
  });

  describe('backpressure', () => {
    test('refuses a job beyond maxQueued with QueueFullError and a retry hint', () => {
      const c = clock();
      const q = createJobQueue<string>({ now: c.now, maxQueued: 3, defaultRetryAfterMs: 2_500 });
      for (let i = 1n; i <= 3n; i++) assert.equal(q.enqueue(job(i, 1n, c.t + 60_000)), true);
      assert.throws(
        () => q.enqueue(job(4n, 1n, c.t + 60_000)),
        (err: unknown) => {
          assert.ok(err instanceof QueueFullError);
          assert.equal(err.size, 3);
          assert.equal(err.maxQueued, 3);
          assert.equal(err.retryAfterMs, 2_500);
          assert.equal(err.retryAfterSeconds, 3);
          return true;
        },
      );
      q.dequeue();
      assert.equal(q.enqueue(job(4n, 1n, c.t + 60_000)), true);
    });

    test('derives the retry hint from the observed dequeue interval', () => {
      const c = clock();
      const q = createJobQueue<string>({ now: c.now, maxQueued: 3 });
      let id = 0n;
      const fill = () => {
        while (q.size < 3) q.enqueue(job(++id, 1n, c.t + 600_000));
      };
      for (let i = 0; i < 5; i++) {
        fill();
        q.dequeue();
        c.t += 400; // a worker takes a job every 400 ms
      }
      fill();
      assert.throws(
        () => q.enqueue(job(++id, 1n, c.t + 600_000)),
        (err: unknown) => err instanceof QueueFullError && err.retryAfterMs === 400 && err.retryAfterSeconds === 1,
      );
    });
  });

  test('enqueue is idempotent per job id (at-least-once delivery may repeat a job)', () => {
    const c = clock();
    const q = createJobQueue<string>({ now: c.now });
    assert.equal(q.enqueue(job(1n, 1n, c.t + 60_000)), true);
    assert.equal(q.enqueue(job(1n, 99n, c.t + 60_000)), false);
    assert.equal(q.size, 1);
    assert.equal(q.has(1n), true);
  });

  test('refuses a job whose deadline passed', () => {
    const c = clock();
    const q = createJobQueue<string>({ now: c.now });
    assert.throws(() => q.enqueue(job(1n, 1n, c.t)), JobDeadlinePassedError);
  });

  test('drops jobs whose deadline passed while queued, reporting them', () => {
    const c = clock();
    const expired: bigint[] = [];
    const q = createJobQueue<string>({ now: c.now, onExpired: (j) => expired.push(j.jobId) });
    q.enqueue(job(1n, 100n, c.t + 1_000)); // best priority, expires first
    q.enqueue(job(2n, 1n, c.t + 60_000));
    q.enqueue(job(3n, 1n, c.t + 2_000));
    c.t += 1_500;
    assert.equal(q.dequeue()?.jobId, 3n);
    assert.deepEqual(expired, [1n]);
    c.t += 100_000;
    assert.deepEqual(
      q.pruneExpired().map((j) => j.jobId),
      [2n],
    );
    assert.deepEqual(expired, [1n, 2n]);
    assert.equal(q.size, 0);
  });

  test('remove takes a job out wherever it is', () => {
    const c = clock();
    const q = createJobQueue<string>({ now: c.now });
    for (let i = 1n; i <= 5n; i++) q.enqueue(job(i, i, c.t + 60_000));
    assert.equal(q.remove(3n), true);
    assert.equal(q.remove(3n), false);
    assert.equal(q.peek()?.jobId, 5n);
    assert.deepEqual(drain(q), [5n, 4n, 2n, 1n]);
  });
});
