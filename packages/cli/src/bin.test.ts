/**
 * The `souk` program itself, spawned as a user runs it: help everywhere and the exit-code contract (0 ok, 1 failure,
 * 2 usage error). No node is needed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { souk } from './test-utils.ts';

const COMMANDS = ['start', 'account', 'publish', 'list', 'buy', 'job'];

describe('souk', () => {
  test('souk --help lists every command with its summary and exits 0', async () => {
    const run = await souk(['--help']);
    assert.equal(run.code, 0, run.stderr);
    for (const name of COMMANDS) assert.match(run.stdout, new RegExp(`^  ${name} +\\S`, 'm'));
  });

  test('every command answers --help (and -h, and souk help <command>) with its usage and exits 0', async () => {
    const runs = await Promise.all(
      COMMANDS.flatMap((name) => [souk([name, '--help']), souk([name, '-h']), souk(['help', name])]),
    );
    for (const [i, run] of runs.entries()) {
      const name = COMMANDS[Math.floor(i / 3)];
      assert.equal(run.code, 0, `${name}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`^Usage: souk ${name}`), name);
      if (name !== 'start') {
        assert.match(run.stdout, /--node <url>/, `${name} documents --node`);
        assert.match(run.stdout, /--json/, `${name} documents --json`);
      }
    }
    const publish = runs[COMMANDS.indexOf('publish') * 3].stdout;
    for (const flag of ['--kind', '--name', '--price', '--currency', '--royalty', '--licence-terms', '--list']) {
      assert.ok(publish.includes(flag), `publish --help mentions ${flag}`);
    }
  });

  test('--help wins over other arguments, even invalid ones', async () => {
    const run = await souk(['publish', '--bogus', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: souk publish/);
  });

  test('no command, an unknown command, an unknown flag or a missing argument exit 2 with a message on stderr', async () => {
    const [none, unknown, flag, missing, badId] = await Promise.all([
      souk([]),
      souk(['sell']),
      souk(['list', '--colour', 'red']),
      souk(['job']),
      souk(['buy', 'seven']),
    ]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: souk <command>/);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "sell"/);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /souk list: Unknown option '--colour'/);
    assert.match(flag.stderr, /Run 'souk list --help'/);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /souk job: Missing <id>/);
    assert.equal(badId.code, 2);
    assert.match(badId.stderr, /<assetId> must be a non-negative integer/);
    for (const run of [none, unknown, flag, missing, badId]) assert.equal(run.stdout, '');
  });

  test('a publish with bad values is refused before any network call (exit 2)', async () => {
    const node = 'http://127.0.0.1:9'; // nothing listens: a network call would exit 1
    const runs = await Promise.all([
      souk(['publish', 'x.bin', '--kind', 'song', '--name', 'n', '--node', node]),
      souk(['publish', 'x.bin', '--kind', 'model', '--node', node]),
      souk(['publish', 'x.bin', '--kind', 'model', '--name', 'n', '--royalty', '12%', '--node', node]),
      souk(['publish', 'x.bin', '--kind', 'model', '--name', 'n', '--licence-duration', 'soon', '--node', node]),
      souk(['publish', 'x.bin', '--kind', 'model', '--name', 'n', '--list', '--node', node]),
      souk(['publish', 'missing.bin', '--kind', 'model', '--name', 'n', '--node', node]),
    ]);
    assert.deepEqual(
      runs.map((r) => r.code),
      [2, 2, 2, 2, 2, 2],
      runs.map((r) => r.stderr).join('\n'),
    );
    assert.match(runs[0].stderr, /--kind must be model, agent or dataset/);
    assert.match(runs[1].stderr, /--name is required/);
    assert.match(runs[2].stderr, /above the 10% \(1000bps\) cap/);
    assert.match(runs[3].stderr, /"soon" is not a duration/);
    assert.match(runs[4].stderr, /--list needs --price or --list-price/);
    assert.match(runs[5].stderr, /missing\.bin is not a readable file/);
  });

  test('an unreachable node is a failure (exit 1) that names the URL', async () => {
    const run = await souk(['list', '--node', 'http://127.0.0.1:9']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /souk list: Cannot reach the Souk node at http:\/\/127\.0\.0\.1:9/);
  });
});
