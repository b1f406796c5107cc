/**
 * The CLI against a whole node (embedded devnet, Helia, PGlite) started in this process: the real `souk` bin is
 * spawned with `--json`, and reverts from the real contracts are decoded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentNftAbi, marketplaceAbi } from '@souk/contracts/abis';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type RunningNode, startNode } from '@souk/node';
import {
  createSoukClient,
  getAsset,
  listAsset,
  publishAsset,
  SoukApiError,
  type SoukClient,
  signIn,
  uploadContent,
} from '@souk/sdk';
import { createTestClient, encodeFunctionData, http, parseEther, zeroAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { decodeContractError, formatError } from './errors.ts';
import { souk, soukJson, waitFor } from './test-utils.ts';

const HASH = /^0x[0-9a-f]{64}$/;

type PublishJson = {
  assetId: string;
  manifestCid: string;
  content: { cid: string; size: number; encrypted: boolean };
  licence: { priceWei: string; currency: string; durationSeconds: number; terms: string } | null;
  listing: { priceWei: string } | null;
  transactions: { mint: string; licenceTerms: string[]; list: string[] };
};

describe('souk against a node', () => {
  let node: RunningNode;
  let dataDir: string;
  let env: Record<string, string>;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-cli-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()) },
      { RATE_LIMIT_PER_MINUTE: '100000', SOUK_SAMPLE_MODEL: '0' },
    );
    node = await startNode(config, { logger: false });
    env = { SOUK_NODE_URL: node.url };
  });
  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const dev = (i: number) => node.services.chain.devAccounts[i];
  const file = (name: string, text: string) => {
    const filePath = path.join(dataDir, name);
    writeFileSync(filePath, text);
    return filePath;
  };
  const signedIn = async (i: number): Promise<SoukClient> => {
    const client = createSoukClient({ url: node.url });
    await signIn(client, { account: dev(i).account });
    return client;
  };
  const ownerOf = (assetId: string) =>
    node.services.chain.publicClient.readContract({
      address: node.services.chain.deployment.contracts.agentNft,
      abi: agentNftAbi,
      functionName: 'ownerOf',
      args: [BigInt(assetId)],
    });

  describe('account', () => {
    test('shows dev account 1 by default, another with --account, and lists the dev accounts', async () => {
      type AccountJson = { address: string; source: string; devIndex: number; balances: { symbol: string }[] };
      const [fallback, second, list] = await Promise.all([
        soukJson<AccountJson>(['account'], env),
        soukJson<AccountJson>(['account', '--account', '2'], env),
        soukJson<{ index: number; address: string }[]>(['account', '--list'], env),
      ]);
      assert.equal(fallback.address, dev(1).address);
      assert.equal(fallback.source, 'devnet');
      assert.equal(fallback.devIndex, 1);
      assert.deepEqual(
        fallback.balances.map((b) => b.symbol),
        ['ETH', 'SOUK', 'mUSD'],
      );
      assert.equal(second.address, dev(2).address);
      assert.equal(list.length, 10);
      assert.deepEqual(
        list.map((a) => a.address),
        node.services.chain.devAccounts.map((a) => a.address),
      );
    });

    test('shows a --key account with its balances read from the chain', async () => {
      const key = generatePrivateKey();
      const address = privateKeyToAccount(key).address;
      await createTestClient({ chain: foundry, mode: 'anvil', transport: http(node.services.chain.rpcUrl) }).setBalance(
        {
          address,
          value: parseEther('3'),
        },
      );
      const shown = await soukJson<{ address: string; source: string; balances: Record<string, string>[] }>(
        ['account', '--key', key],
        env,
      );
      assert.equal(shown.address, address);
      assert.equal(shown.source, 'key');
      assert.deepEqual(shown.balances[0], {
        symbol: 'ETH',
        currency: '0x0000000000000000000000000000000000000000',
        wei: String(parseEther('3')),
        amount: '3',
      });
    });
  });

  describe('reverts', () => {
    test('a real revert (buying an unlisted asset on the devnet) decodes to SoukNotListed with a sentence', async () => {
      const { publicClient, deployment } = node.services.chain;
      const data = encodeFunctionData({ abi: marketplaceAbi, functionName: 'buy', args: [999n, zeroAddress, 1n] });
      const error = await publicClient
        .call({ account: dev(4).address, to: deployment.contracts.marketplace, data, value: 1n })
        .then(
          () => assert.fail('the call should revert'),
          (e: unknown) => e,
        );
      assert.equal(
        formatError(error),
        'Transaction reverted: SoukNotListed(tokenId: 999)\nAsset 999 is not listed for sale.',
      );
      const raw = (error as { walk: () => { data?: `0x${string}` } }).walk().data;
      assert.ok(raw);
      assert.deepEqual(decodeContractError(raw), { name: 'SoukNotListed', args: [999n], params: ['tokenId'] });
    });

    test('a revert the node reports as a 422 problem carries the decoded custom error', async () => {
      const client = await signedIn(6);
      const { uploadId } = await uploadContent(client, { data: new TextEncoder().encode('zero'), encrypt: false });
      const published = await publishAsset(client, {
        uploadId,
        name: 'zero price',
        kind: 'dataset',
        license: { terms: 'MIT' },
        royaltyBps: 0,
      });
      assert.ok(published.assetId);
      const error = await listAsset(client, { assetId: BigInt(published.assetId), price: 0n }).then(
        () => assert.fail('a zero price should revert'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof SoukApiError);
      assert.match(formatError(error), /^Unprocessable Content \(422 SOUK_ERR_CHAIN_REVERT\): Transaction reverted/);
      // The node decodes the custom error itself (name, arguments and a sentence) into the problem's detail.
      assert.match(formatError(error), /SoukInvalidPrice\(price: 0\): Price 0 wei is not accepted/);
    });
  });

  describe('publish → list → buy', () => {
    test('a dev account publishes and lists; others buy a licence, then the asset; a second buyer is refused', async () => {
      const name = `CLI OCR ${Date.now()}`;
      const published = await soukJson<PublishJson>(
        [
          'publish',
          // Opaque bytes with no pipeline (a single file for the multi-file `ocr` pipeline is refused before upload).
          file('weights.bin', 'not really onnx'),
          ...['--kind', 'model', '--name', name, '--description', 'round trip'],
          ...['--price', '0.01', '--royalty', '5%', '--licence-terms', 'Apache-2.0', '--licence-duration', '30d'],
          '--list',
        ],
        env,
      );
      assert.match(published.assetId, /^\d+$/);
      assert.match(published.manifestCid, /^bafkrei/);
      assert.equal(published.content.encrypted, true);
      assert.equal(published.content.size, 15);
      assert.deepEqual(published.licence, {
        priceWei: String(parseEther('0.01')),
        currency: '0x0000000000000000000000000000000000000000',
        durationSeconds: 2_592_000,
        terms: 'Apache-2.0',
      });
      assert.equal(published.listing?.priceWei, String(parseEther('0.01')));
      assert.match(published.transactions.mint, HASH);
      assert.equal(published.transactions.licenceTerms.length, 1);
      assert.ok(published.transactions.list.length >= 1);
      for (const hash of [...published.transactions.licenceTerms, ...published.transactions.list]) {
        assert.match(hash, HASH);
      }
      assert.equal(await ownerOf(published.assetId), dev(1).address);

      const client = createSoukClient({ url: node.url });
      const indexed = await waitFor(async () => {
        // 404 until indexed; any other error fails the test at once (not a time-out that hides it).
        const asset = await getAsset(client, { assetId: BigInt(published.assetId) }).catch((error: unknown) => {
          if (error instanceof SoukApiError && error.status === 404) return undefined;
          throw error;
        });
        return asset?.listing?.active && asset.licence?.active ? asset : undefined;
      });
      assert.equal(indexed.name, name);
      assert.equal(indexed.royaltyBps, 500);

      type Page = { items: { id?: string; assetId?: string; name: string; priceWei: string }[] };
      const [assets, listings, table] = await Promise.all([
        soukJson<Page>(['list', '--search', name, '--kind', 'model'], env),
        soukJson<Page>(['list', '--listings', '--search', name], env),
        souk(['list', '--search', name], env),
      ]);
      assert.deepEqual(
        assets.items.map((a) => [a.id, a.name, a.priceWei]),
        [[published.assetId, name, String(parseEther('0.01'))]],
      );
      assert.deepEqual(
        listings.items.map((l) => l.assetId),
        [published.assetId],
      );
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^ID +KIND +NAME +PRICE +LICENCE +OWNER$/m);
      assert.match(
        table.stdout,
        new RegExp(`^${published.assetId} +model +${name} +0\\.01 ETH +0\\.01 ETH / 30d `, 'm'),
      );

      const licence = await soukJson<{ hasAccess: boolean; licensee: string; transactionHashes: string[] }>(
        ['buy', published.assetId, '--licence', '--account', '3'],
        env,
      );
      assert.equal(licence.hasAccess, true);
      assert.equal(licence.licensee, dev(3).address);
      assert.match(licence.transactionHashes[0], HASH);

      const bought = await soukJson<{ owner: string; transactionHashes: string[] }>(
        ['buy', published.assetId, '--account', '2'],
        env,
      );
      assert.equal(bought.owner, dev(2).address);
      assert.equal(bought.transactionHashes.length, 1);
      assert.match(bought.transactionHashes[0], HASH);
      assert.equal(await ownerOf(published.assetId), dev(2).address);

      const again = await souk(['buy', published.assetId, '--account', '4', '--json'], env);
      assert.equal(again.code, 1);
      assert.equal(again.stdout, '', 'nothing on stdout on failure');
      assert.match(
        again.stderr,
        new RegExp(`^souk buy: Not Found \\(404 SOUK_ERR_NOT_FOUND\\): Asset ${published.assetId} is not listed\\.`),
      );
    });

    test('an account the node holds no key for signs the transactions the node returns unsigned', async () => {
      const key = generatePrivateKey();
      const address = privateKeyToAccount(key).address;
      await createTestClient({ chain: foundry, mode: 'anvil', transport: http(node.services.chain.rpcUrl) }).setBalance(
        {
          address,
          value: parseEther('10'),
        },
      );
      const keyEnv = { ...env, SOUK_PRIVATE_KEY: key };
      const published = await soukJson<PublishJson>(
        [
          'publish',
          file('data.csv', 'a,b\n1,2\n'),
          ...['--kind', 'dataset', '--name', 'wallet dataset', '--public', '--price', '2', '--currency', 'musd'],
          ...['--list', '--list-price', '1000wei'],
        ],
        keyEnv,
      );
      assert.equal(published.content.encrypted, false);
      assert.equal(published.licence?.priceWei, '2000000');
      assert.equal(published.listing?.priceWei, '1000');
      assert.equal(await ownerOf(published.assetId), address);

      // In parallel: dev account 5 buys (the node signs), and the key account publishes again (the CLI signs). The
      // CLI simulates what it signs, so a currency the marketplace refuses is decoded before anything is sent.
      const [bought, refused] = await Promise.all([
        soukJson<{ transactionHashes: string[] }>(['buy', published.assetId, '--account', '5'], env),
        souk(
          [
            'publish',
            file('refused.bin', 'x'),
            ...['--kind', 'dataset', '--name', 'refused', '--price', '5wei'],
            ...['--currency', '0x1234567890123456789012345678901234567890'],
          ],
          keyEnv,
        ),
      ]);
      assert.equal(bought.transactionHashes.length, 2, 'mUSD: approve, then buy');
      assert.equal(await ownerOf(published.assetId), dev(5).address);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /souk publish: Transaction reverted: SoukCurrencyNotAllowed\(currency: 0x1234567890123456789012345678901234567890\)\nCurrency 0x1234567890123456789012345678901234567890 is not accepted for payment\./,
      );
    });
  });

  describe('order', () => {
    test('an order the node does not know is a readable 404 (exit 1)', async () => {
      const run = await souk(['order', `0x${'42'.repeat(32)}`], env);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^souk order: Not Found \(404 SOUK_ERR_NOT_FOUND\): /);
    });
  });
});
