/** Upload progress on stderr: a redrawn bar on a terminal, a line per quarter otherwise. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgress } from './upload.ts';

function fakeStream() {
  const writes: string[] = [];
  return { writes, stream: { write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream };
}

test('off a terminal, progress prints one plain line per quarter and one at the end', () => {
  const { writes, stream } = fakeStream();
  const progress = createProgress('uploading m.bin', 4096, stream, false);
  for (let sent = 512; sent <= 4096; sent += 512) progress.update(sent);
  progress.done(true);
  assert.deepEqual(writes, [
    'uploading m.bin 512 B / 4.0 KiB (0%)\n',
    'uploading m.bin 1.0 KiB / 4.0 KiB (25%)\n',
    'uploading m.bin 2.0 KiB / 4.0 KiB (50%)\n',
    'uploading m.bin 3.0 KiB / 4.0 KiB (75%)\n',
    'uploading m.bin 4.0 KiB / 4.0 KiB (100%)\n',
  ]);
});

test('on a terminal, progress redraws one line with a bar and ends it; a failure just ends the line', () => {
  const { writes, stream } = fakeStream();
  const progress = createProgress('up', 100, stream, true);
  progress.update(50);
  progress.done(true);
  progress.done(true);
  assert.equal(writes.length, 2);
  assert.equal(writes[0], `\rup [${'#'.repeat(15)}${'-'.repeat(15)}]  50%  50 B / 100 B\x1b[K`);
  assert.match(writes[1], /^\rup \[#{30}\] 100% {2}100 B \/ 100 B\n$/);

  const failed = fakeStream();
  const broken = createProgress('up', 100, failed.stream, true);
  broken.update(10);
  broken.done(false);
  assert.equal(failed.writes.at(-1), '\n');
});
