/**
 * The marketplace home page on an index of 10k assets, in Debian's Chromium (`/usr/bin/chromium`, driven by
 * playwright-core), served by a real node started here (as in `web.test.ts`: embedded devnet, PGlite, the built app
 * at `/`, no providers).
 *
 * The 10k assets are inserted straight into the node's index table (`assets`) through its own database handle, in
 * batches: the read path and the page are what is tested, and minting 10k tokens on the devnet would only slow the
 * set-up. The seeded ids are far above any token the devnet mints, so the indexer never meets them. Because they
 * have no token on the chain, each card's manifest request (`GET /api/v1/assets/:id/manifest`, read from the chain)
 * answers 404 and the card falls back to the index's description; those 404s are the only console errors allowed.
 *
 * The page must show the first 24 cards newest first, then page forward with the cursor ("Load more") to the next
 * 24, twice, with no card repeated or skipped. No timing is asserted.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningNode } from '@souk/node';
import type { Page } from 'playwright-core';
import { startWebFixture, type WebFixture } from './fixture.ts';

const ASSETS = 10_000;
/** The first seeded id: far above the tokens the devnet mints, so the indexer never writes one of these rows. */
const FIRST_ID = 1_000_001;
/** Cards per page of the marketplace (`limit` in `routes/Marketplace.tsx`). */
const PAGE = 24;
const MANIFEST_404 = /\/api\/v1\/assets\/\d+\/manifest$/;

let fixture: WebFixture;
let node: RunningNode;
let page: Page;
let consoleErrors: string[];

/** 10k assets in the node's index, newest = highest id (created_block grows with the id). */
async function seedAssets(db: RunningNode['services']['db']) {
  const address = (i: number) => `0x${i.toString(16).padStart(40, '0')}`;
  const at = new Date('2026-11-01T00:00:00Z');
  for (let start = 0; start < ASSETS; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, ASSETS - start) }, (_, i) => {
      const n = start + i;
      return {
        id: String(FIRST_ID + n),
        kind: (['model', 'agent', 'dataset'] as const)[n % 3],
        creator: address((n % 97) + 1),
        owner: address((n % 89) + 1),
        royalty_bps: 500,
        version_count: 1,
        manifest_uri: `ipfs://bafkreiseeded${String(n).padStart(8, '0')}`,
        name: `Seeded asset ${n + 1}`,
        description: `Asset number ${n + 1} of the 10k-asset marketplace test.`,
        price_wei: String(BigInt(n + 1) * 10n ** 15n),
        currency: address(0),
        created_block: 1_000_000 + n,
        created_at: at,
        updated_block: 1_000_000 + n,
      };
    });
    await db.insertInto('assets').values(rows).execute();
  }
}

/** The asset ids of the cards on the page, in order (each card shows `#<id>`). */
async function cardIds(): Promise<string[]> {
  const texts = await page.getByRole('list', { name: 'Assets' }).getByRole('listitem').allInnerTexts();
  return texts.map((text) => /#(\d+)/.exec(text)?.[1] ?? '?');
}

/** The ids a page of the newest-first order holds: `count` ids down from `from`. */
const expectedIds = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from - i));

before(async () => {
  fixture = await startWebFixture({
    dirPrefix: 'souk-web-10k-',
    providers: 0,
    env: { SOUK_SAMPLE_MODEL: '0', SOUK_CATALOGUE: 'none' },
    prepare: (node) => seedAssets(node.services.db),
    // A seeded asset has no token on the chain, so its manifest is not found (see the file's comment).
    ignore: (message) => MANIFEST_404.test(message.location().url) && /404/.test(message.text()),
  });
  ({ node, page, consoleErrors } = fixture);
});

after(async () => {
  await fixture?.stop();
});

test('the marketplace of 10k assets shows its first page of cards and pages forward with the cursor', {
  timeout: 90_000,
}, async () => {
  const api = (await (await fetch(`${node.url}/api/v1/assets?limit=1`)).json()) as { items: Array<{ id: string }> };
  assert.equal(api.items[0]?.id, String(FIRST_ID + ASSETS - 1), 'the index holds the seeded assets');

  await page.goto(node.url);
  await page.getByRole('heading', { name: 'Marketplace' }).waitFor();
  const status = page.getByRole('status').filter({ hasText: /assets shown/ });
  await status.filter({ hasText: `${PAGE} assets shown` }).waitFor();
  const newest = FIRST_ID + ASSETS - 1;
  assert.deepEqual(await cardIds(), expectedIds(newest, PAGE), 'the first page is the 24 newest, newest first');
  const first = page.getByRole('list', { name: 'Assets' }).getByRole('listitem').first();
  assert.match(await first.innerText(), /Seeded asset 10000/);
  assert.match(await first.innerText(), /Asset number 10000 of the 10k-asset marketplace test\./);

  for (const pages of [2, 3]) {
    await page.getByRole('button', { name: 'Load more' }).click();
    await status.filter({ hasText: `${pages * PAGE} assets shown` }).waitFor();
    assert.deepEqual(await cardIds(), expectedIds(newest, pages * PAGE), `pages 1–${pages}, in order, none repeated`);
  }
  assert.deepEqual(consoleErrors, [], 'no console errors besides the seeded assets’ manifest 404s');
});
