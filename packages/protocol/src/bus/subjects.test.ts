import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidSubjectError } from './errors.ts';
import { assertSubject, consumerName, createSubjects, subjectMatches } from './subjects.ts';

describe('subjects', () => {
  test('builds the bus subjects under a prefix', () => {
    const s = createSubjects();
    assert.equal(s.assigned('0xabc'), 'souk.jobs.assigned.0xabc');
    assert.equal(s.results(7n), 'souk.jobs.results.7');
    assert.equal(s.heartbeat, 'souk.providers.heartbeat');
    assert.equal(s.failures(7n), 'souk.jobs.failures.7');
    assert.equal(subjectMatches(s.failuresAll, s.failures('7')), true);
    assert.equal(subjectMatches(s.resultsAll, s.failures('7')), false, 'failure reports are not result notices');
    assert.equal(s.all, 'souk.>');
    assert.equal(createSubjects('dev.souk').assignedAll, 'dev.souk.jobs.assigned.*');
    assert.throws(() => s.assigned('0x.abc'), InvalidSubjectError);
    assert.throws(() => s.assigned('*'), InvalidSubjectError);
  });

  test('matches filters with NATS semantics', () => {
    assert.equal(subjectMatches('souk.jobs.results.*', 'souk.jobs.results.7'), true);
    assert.equal(subjectMatches('souk.jobs.results.*', 'souk.jobs.results.7.x'), false);
    assert.equal(subjectMatches('souk.jobs.>', 'souk.jobs.results.7'), true);
    assert.equal(subjectMatches('souk.jobs.>', 'souk.jobs'), false);
    assert.equal(subjectMatches('souk.*.heartbeat', 'souk.providers.heartbeat'), true);
    assert.equal(subjectMatches('souk.jobs.results.7', 'souk.jobs.results.8'), false);
  });

  test('allows wildcards in filters only, and only inside the prefix', () => {
    assert.equal(assertSubject('souk.jobs.>', { prefix: 'souk', filter: true }), 'souk.jobs.>');
    assert.throws(() => assertSubject('souk.jobs.>', { prefix: 'souk', filter: false }), InvalidSubjectError);
    assert.throws(() => assertSubject('souk.>.jobs', { prefix: 'souk', filter: true }), InvalidSubjectError);
    assert.throws(() => assertSubject('other.jobs', { prefix: 'souk', filter: false }), InvalidSubjectError);
    assert.throws(() => assertSubject('souk.a b', { prefix: 'souk', filter: false }), InvalidSubjectError);
  });

  test('derives durable consumer names without NATS-reserved characters', () => {
    assert.equal(consumerName('souk-node', 'souk.jobs.results.*'), 'souk-node-souk_jobs_results_STAR');
    assert.equal(consumerName('souk-node', 'souk.>'), 'souk-node-souk_ALL');
    assert.equal(consumerName('souk-node', 'souk.jobs.results.*', 'results'), 'souk-node-results');
    assert.throws(() => consumerName('souk-node', 'x', 'a.b'), InvalidSubjectError);
  });
});
