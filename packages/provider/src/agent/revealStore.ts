/**
 * The provider's commit–reveal secrets, kept on disk (one JSON file per job, mode 0600) from before the commit
 * transaction until the reveal lands, so that a provider restarted between commit and reveal still reveals — a
 * lost salt would mean a slash for not revealing.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Hex } from 'viem';

/** What must survive until the reveal. */
export type PendingReveal = { jobId: string; resultHash: Hex; salt: Hex };

/** A directory of pending reveals. */
export type RevealStore = {
  save(reveal: PendingReveal): void;
  list(): PendingReveal[];
  remove(jobId: string): void;
};

/**
 * Opens (creating) the reveal store in `dir`.
 * @param dir - A directory private to one provider account.
 */
export function openRevealStore(dir: string): RevealStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (jobId: string) => path.join(dir, `job-${jobId}.json`);
  return {
    save: (reveal) => writeFileSync(file(reveal.jobId), JSON.stringify(reveal), { mode: 0o600 }),
    list: () =>
      readdirSync(dir)
        .filter((name) => /^job-\d+\.json$/.test(name))
        .map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as PendingReveal),
    remove: (jobId) => rmSync(file(jobId), { force: true }),
  };
}
