/**
 * What a node has persisted, in counts: rows of every table of its database and files of its Helia blockstore and
 * datastore. Two snapshots taken around a rejected request must be equal — it wrote nothing.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { SoukDb } from '../db/index.ts';

/** Row count per table, plus `blockstore files` (and `datastore files`) for the embedded Helia store. */
export type WriteSnapshot = Record<string, number>;

/** Counts the files under `dir` (recursively); 0 when it does not exist. */
async function countFiles(dir: string): Promise<number> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}

/**
 * Returns a function that takes a {@link WriteSnapshot} of the node: one SQL statement counting every table (the
 * table list is read once) and a walk of `<dataDir>/ipfs/{blocks,datastore}`.
 * @param db The node's database (PGlite or PostgreSQL).
 * @param dataDir The node's data directory (Helia keeps its blocks there).
 */
export async function writeSnapshotter(db: SoukDb, dataDir: string): Promise<() => Promise<WriteSnapshot>> {
  const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
  const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const statement = sql.raw(
    `select ${tables.map((t) => `(select count(*) from ${ident(t)})::int as ${ident(t)}`).join(', ')}`,
  );
  return async () => {
    const { rows } = await statement.execute(db);
    const counts = { ...(rows[0] as Record<string, number>) };
    for (const [key, value] of Object.entries(counts)) counts[key] = Number(value);
    counts['blockstore files'] = await countFiles(path.join(dataDir, 'ipfs', 'blocks'));
    counts['datastore files'] = await countFiles(path.join(dataDir, 'ipfs', 'datastore'));
    return counts;
  };
}

/** The counts that differ, as `table: before → after` lines (empty when nothing was written). */
export function diffSnapshots(before: WriteSnapshot, after: WriteSnapshot): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).map((k) => `${k}: ${before[k]} → ${after[k]}`);
}

/**
 * Waits until three snapshots 300 ms apart are equal and `idle()` holds (e.g. the indexer has no lag), so that
 * background writes of a freshly started node — the indexer's first pass — are not blamed on a request.
 * @returns The settled snapshot.
 * @throws {Error} when the node is still writing after `timeoutMs`.
 */
export async function settledSnapshot(
  snapshot: () => Promise<WriteSnapshot>,
  idle: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<WriteSnapshot> {
  const started = Date.now();
  let before = await snapshot();
  for (let stable = 0; stable < 3; ) {
    if (Date.now() - started > timeoutMs) throw new Error(`the node kept writing for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
    const now = await snapshot();
    stable = diffSnapshots(before, now).length === 0 && (await idle()) ? stable + 1 : 0;
    before = now;
  }
  return before;
}
