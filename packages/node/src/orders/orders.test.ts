/**
 * Compute protocol v2 end to end, on real input: ImageMagick-rendered text images through the whole market — SDK
 * `runOrder` (the SDK verifies every attestation and each signer's stake on-chain) → node (order API, coordinator,
 * commit–reveal over the bus) → providers (PaddleOCR on ONNX Runtime, signed attestations) → `ComputeEscrow`
 * batch settlement, exact to the wei — plus the protocol's promises: a requester who cannot pay is refused before any
 * provider works; a corrupted provider is slashed on its own signed attestation; a withdrawal requested while
 * orders are in flight pays those orders first; an order nobody settles by its deadline is never charged.
 * Runs on the embedded defaults (PGlite, in-process bus) and on the machine's PostgreSQL + NATS JetStream.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeEscrowAbi, devAccounts, providerRegistryAbi } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { hashJobOrder, jobOrderToJson, jobOrderTypedData, Verification } from '@souk/protocol';
import type { ProviderAgent } from '@souk/provider';
import { dejavuFont, findImageMagick, levenshtein, renderText } from '@souk/provider/test-utils';
import { createSoukClient, type Order, runOrder, SoukApiError, type SoukClient, signIn } from '@souk/sdk';
import { type Address, type Hex, parseEther, sha256, zeroAddress } from 'viem';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';
import { serviceSetups } from '../testing/setups.ts';
import { escrowReader, startProviderAgents, waitSettled } from './testing.ts';

type OcrOutput = { lines: Array<{ text: string; confidence: number }> };
const textOf = (output: OcrOutput) => output.lines.map((l) => l.text).join('\n');
const normalise = (s: string) => s.replace(/[ \t]+/g, ' ').trim();

const TEXTS = ['Souk compute market', 'TOTAL 12.50 EUR\nPaid by card 4242', 'Invoice 2026-11-23\nQty 3 x 4.10'];

for (const setup of await serviceSetups('souk_orders')) {
  describe(`compute protocol v2 (orders) on ${setup.name}`, { skip: setup.skip, timeout: 10 * 60_000 }, () => {
    let dataDir: string;
    let node: RunningNode;
    let client: SoukClient;
    let agents: ProviderAgent[] = [];
    let sampleId: bigint;
    const images: Array<{ text: string; png: Uint8Array }> = [];
    const accounts = devAccounts();
    const requester = accounts[1];
    const providerAccounts = [accounts[9], accounts[8], accounts[7]];
    /** Orders whose result a given provider corrupts (a cheating provider). */
    const corruptBy = new Map<string, string>();

    const chain = () => node.services.chain;
    const { escrow, read, credits, balance, assertMoneyInvariant } = escrowReader(() => node);
    const settled = waitSettled;

    before(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'souk-orders-'));
      const magick = findImageMagick();
      for (const [i, text] of TEXTS.entries()) {
        const out = path.join(dataDir, `${i}.png`);
        renderText(magick, { out, text, font: dejavuFont('DejaVuSans.ttf'), pointSize: 32 });
        images.push({ text, png: new Uint8Array(readFileSync(out)) });
      }
      const config = loadConfig(
        { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
        { SOUK_AUDIT_RATE: '0', SOUK_COMMIT_TIMEOUT_SECONDS: '20', ...setup.env },
      );
      node = await startNode(config, { logger: false, log: process.env.SOUK_TEST_LOG ? console.log : undefined });
      sampleId = node.sampleModelId as bigint;
      agents = await startProviderAgents(
        node,
        providerAccounts.map((p) => p.account),
        (_i, account) => ({
          faults: {
            corruptResult: (id: bigint) => corruptBy.get(`0x${id.toString(16).padStart(64, '0')}`) === account.address,
          },
        }),
      );
      client = createSoukClient({ url: node.url });
      await signIn(client, { account: requester.account });
    });

    after(async () => {
      for (const agent of agents) await agent.stop().catch(() => {});
      await node?.stop();
      await setup.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('rendered images through the market at r = 2: CER ≤ 2 %, verified attestations, exact 80/15/5 credits in one batch', async (t) => {
      const price = parseEther('0.001');
      const creator = accounts[0].address;
      const treasury = (await chain().publicClient.readContract({
        address: escrow(),
        abi: computeEscrowAbi,
        functionName: 'treasury',
      })) as Address;
      const providersBefore = new Map<string, bigint>();
      for (const p of providerAccounts) providersBefore.set(p.address.toLowerCase(), await credits(p.address));
      const creatorBefore = await credits(creator);
      const treasuryBefore = await credits(treasury);

      let distance = 0;
      let length = 0;
      const hashes: string[] = [];
      const paidTo: string[] = [];
      for (const image of images) {
        const run = await runOrder<OcrOutput>(client, {
          assetId: sampleId,
          input: image.png,
          redundancy: 2,
          maxPriceWei: price,
          publicClient: chain().publicClient,
        });
        distance += levenshtein(normalise(textOf(run.output)), normalise(image.text));
        length += [...normalise(image.text)].length;
        assert.equal(run.providers.length, 2, 'two verified attestations');
        assert.equal(run.order.attestations.length, 2);
        hashes.push(run.order.orderHash);
        paidTo.push(...run.providers.map((p) => p.toLowerCase()));
      }
      const cer = distance / length;
      t.diagnostic(`CER ${(cer * 100).toFixed(2)} % over ${images.length} images`);
      assert.ok(cer <= 0.02, `CER ${cer}`);

      const finals = await Promise.all(hashes.map((h) => settled(client, h)));
      for (const order of finals) assert.equal(order.phase, 'settled', `${order.orderHash}: ${order.reason}`);
      t.diagnostic(`settled in ${new Set(finals.map((o) => o.settleTx)).size} batch transaction(s)`);

      // Exact credits: each agreeing provider price·80 %/2 per order; creator 5 %; treasury the rest.
      for (const p of providerAccounts) {
        const key = p.address.toLowerCase();
        const jobs = paidTo.filter((a) => a === key).length;
        assert.equal(
          (await credits(p.address)) - (providersBefore.get(key) ?? 0n),
          (BigInt(jobs) * price * 8_000n) / 10_000n / 2n,
        );
      }
      const n = BigInt(images.length);
      assert.equal((await credits(creator)) - creatorBefore, (n * price * 500n) / 10_000n, 'creator 5 %');
      assert.equal((await credits(treasury)) - treasuryBefore, (n * price * 1_500n) / 10_000n, 'treasury 15 %');
      await assertMoneyInvariant();
    });

    test('an order the requester signs itself (EIP-712 JobOrder, own key) settles from its own escrow deposit', async () => {
      const me = accounts[2];
      const own = createSoukClient({ url: node.url });
      await signIn(own, { account: me.account });
      const price = parseEther('0.002');
      // Deposit exactly one job (per-job prepayment).
      const res = await own.json<{ transactionHashes: string[] }>('/api/v1/orders/escrow/deposit', {
        method: 'POST',
        body: { amountWei: String(price) },
      });
      assert.equal(res.transactionHashes.length, 1);
      const before = await balance(me.address);
      const run = await runOrder<OcrOutput>(own, {
        assetId: sampleId,
        input: images[0].png,
        redundancy: 1,
        maxPriceWei: price,
        account: me.account,
        publicClient: chain().publicClient,
      });
      assert.equal(normalise(textOf(run.output)), normalise(TEXTS[0]));
      const final = await settled(own, run.order.orderHash);
      assert.equal(final.phase, 'settled');
      assert.equal(before - (await balance(me.address)), price, 'charged exactly the order price');
      await assertMoneyInvariant();
    });

    test('a requester whose balance cannot cover an order is refused (402) before any provider works', async () => {
      const poor = accounts[3];
      const c = createSoukClient({ url: node.url });
      await signIn(c, { account: poor.account });
      const order = {
        requester: poor.address,
        modelId: sampleId,
        modelVersion: 0,
        inputHash: sha256(images[0].png),
        currency: zeroAddress as Address,
        maxPrice: parseEther('1'),
        redundancy: 1,
        verification: Verification.Exact,
        deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
        nonce: 7n,
      };
      const signature = await poor.account.signTypedData(
        jobOrderTypedData(chain().deployment.chainId, escrow(), order),
      );
      const refused = await c
        .json('/api/v1/orders', {
          method: 'POST',
          body: { order: jobOrderToJson(order), signature, input: Buffer.from(images[0].png).toString('base64') },
        })
        .then(
          () => undefined,
          (error: SoukApiError) => error,
        );
      assert.ok(refused instanceof SoukApiError);
      assert.equal(refused.status, 402);
      assert.equal(refused.problem.code, 'SOUK_ERR_INSUFFICIENT_ESCROW');
      const hash = hashJobOrder(chain().deployment.chainId, escrow(), order).toLowerCase();
      const row = await node.services.db
        .selectFrom('orders')
        .select('order_hash')
        .where('order_hash', '=', hash)
        .executeTakeFirst();
      assert.equal(row, undefined, 'nothing stored');
      assert.equal(node.services.orders?.get(hash as Hex), undefined, 'no provider was assigned');
    });

    test('devnet-deposit-before-input-checks: the devnet path refuses a bad order before it deposits anything', async () => {
      // The hole: the node's devnet path (it signs for accounts whose key it holds) used to deposit ten jobs' worth
      // into the escrow first and let acceptance refuse the order after. Now every check runs before the deposit.
      const fresh = accounts[6];
      const c = createSoukClient({ url: node.url });
      await signIn(c, { account: fresh.account });
      const escrowed = () => balance(fresh.address);
      const nonceBefore = await chain().publicClient.getTransactionCount({ address: fresh.address });
      const before = await escrowed();
      const refusals: Array<[string, Record<string, unknown>, number, RegExp]> = [
        ['an input the model cannot take', { input: Buffer.from('not an image').toString('base64') }, 422, /image/i],
        [
          'a deadline past the withdrawal delay',
          { input: Buffer.from(images[0].png).toString('base64'), deadlineSeconds: 7 * 24 * 3600 },
          422,
          /withdrawal delay/,
        ],
        [
          'a redundancy above the maximum',
          { input: Buffer.from(images[0].png).toString('base64'), redundancy: 9 },
          400,
          /redundancy/,
        ],
      ];
      for (const [what, body, status, reason] of refusals) {
        const refused = await c
          .json('/api/v1/orders', {
            method: 'POST',
            body: { assetId: sampleId.toString(), maxPriceWei: String(parseEther('0.001')), ...body },
          })
          .then(
            () => undefined,
            (error: SoukApiError) => error,
          );
        assert.ok(refused instanceof SoukApiError, `${what}: refused`);
        assert.equal(refused.status, status, `${what}: ${refused.details}`);
        assert.match(`${refused.details}`, reason, what);
      }
      assert.equal(await escrowed(), before, 'nothing deposited');
      assert.equal(
        await chain().publicClient.getTransactionCount({ address: fresh.address }),
        nonceBefore,
        'no transaction sent for the account',
      );
    });

    test('a corrupted provider is slashed on its own signed attestation; the honest one is paid', async () => {
      const price = parseEther('0.001');
      // The cheat: whichever provider the scheduler picks first from now on.
      let cheat: (typeof providerAccounts)[number] | undefined;
      const stakeOf = async (p: Address) =>
        (
          (await chain().publicClient.readContract({
            address: chain().deployment.contracts.providerRegistry,
            abi: providerRegistryAbi,
            functionName: 'getProvider',
            args: [p],
          })) as { stake: bigint }
        ).stake;
      const stakes = new Map<string, bigint>();
      for (const p of providerAccounts) stakes.set(p.address, await stakeOf(p.address));
      // Every order the cheat takes from now on is corrupted: intercept its assignments by order hash.
      const original = node.services.bus as NonNullable<typeof node.services.bus>;
      const publish = original.publish.bind(original);
      original.publish = (async (subject: string, data: unknown, options?: { id?: string }) => {
        const message = data as { kind?: string; orderHash?: string };
        if (message.kind === 'assign') {
          cheat ??= providerAccounts.find((p) => subject.endsWith(p.address.toLowerCase()));
          if (cheat && subject.endsWith(cheat.address.toLowerCase()))
            corruptBy.set(String(message.orderHash), cheat.address);
        }
        return publish(subject, data, options);
      }) as typeof original.publish;
      try {
        let slashedOnce = false;
        for (let i = 0; i < 3 && !slashedOnce; i++) {
          const run = await runOrder<OcrOutput>(client, {
            assetId: sampleId,
            input: images[i % images.length].png,
            redundancy: 2,
            maxPriceWei: price,
            publicClient: chain().publicClient,
          });
          // Whatever the providers, the result the SDK returns verified is the honest one.
          assert.equal(normalise(textOf(run.output)), normalise(images[i % images.length].text));
          const final = await settled(client, run.order.orderHash);
          if (corruptBy.has(run.order.orderHash)) {
            assert.equal(final.phase, 'settled', `${final.reason}`);
            assert.ok(!run.providers.map((p) => p.toLowerCase()).includes(String(cheat?.address).toLowerCase()));
            assert.equal(run.resolvedBy, 'referee');
            slashedOnce = true;
          }
        }
        assert.ok(slashedOnce, 'the cheat got an order');
        const slash = (await read<bigint>('slashAmount', [])) as bigint;
        assert.ok(cheat);
        assert.equal(
          (stakes.get(cheat.address) ?? 0n) - (await stakeOf(cheat.address)),
          slash,
          'slashed once, by the slash amount',
        );
        for (const p of providerAccounts.filter((p) => p !== cheat)) {
          assert.equal(await stakeOf(p.address), stakes.get(p.address), 'honest providers keep their stake');
        }
        await assertMoneyInvariant();
      } finally {
        original.publish = publish as typeof original.publish;
      }
    });

    test('hole: an agreed result is shown only once its agreement is written (the coordinator shows the stored order)', async (t) => {
      // A reveal and the agreement it leads to are decided in memory and written once. While that write is held,
      // what GET /orders/:hash serves (`orders.get`) must still be the stored order: no result a crash could take back.
      if (node.services.db.engine !== 'pglite') return t.skip('holds the write at the PGlite query');
      const { PGlite } = await import('@electric-sql/pglite');
      const original = PGlite.prototype.query;
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let holding = () => {};
      const held = new Promise<void>((resolve) => {
        holding = resolve;
      });
      PGlite.prototype.query = async function (this: InstanceType<typeof PGlite>, query: string, params?: unknown[]) {
        if (/^update "orders"/.test(query) && ['agreed', 'ready'].includes(String(params?.[0]))) {
          holding();
          await gate;
        }
        return (original as (...a: unknown[]) => ReturnType<typeof original>).call(this, query, params);
      } as typeof original;
      const me = accounts[5];
      const own = createSoukClient({ url: node.url });
      await signIn(own, { account: me.account });
      let orderHash: Hex | undefined;
      try {
        const run = runOrder<OcrOutput>(own, {
          assetId: sampleId,
          input: images[0].png,
          redundancy: 1,
          maxPriceWei: parseEther('0.001'),
          publicClient: chain().publicClient,
          onUpdate: (o) => {
            orderHash ??= o.orderHash;
          },
        });
        run.catch(() => {});
        await held;
        const shown = node.services.orders?.get(orderHash as Hex);
        assert.equal(shown?.state.phase, 'running', 'the stored phase while the agreement is being written');
        assert.equal(shown?.state.resultHash, undefined);
        assert.equal(shown?.resultCid, null);
        release();
        const done = await run;
        assert.equal(normalise(textOf(done.output)), normalise(images[0].text));
      } finally {
        release();
        PGlite.prototype.query = original;
      }
    });

    test('a withdrawal requested while orders are in flight pays those orders first', async () => {
      const me = accounts[4];
      const own = createSoukClient({ url: node.url });
      await signIn(own, { account: me.account });
      const price = parseEther('0.003');
      await own.json('/api/v1/orders/escrow/deposit', { method: 'POST', body: { amountWei: String(price * 2n) } });
      const { nextNonce } = await own.json<{ nextNonce: string }>('/api/v1/orders/escrow');
      const order = {
        requester: me.address,
        modelId: sampleId,
        modelVersion: 0,
        inputHash: sha256(images[1].png),
        currency: zeroAddress as Address,
        maxPrice: price,
        redundancy: 1,
        verification: Verification.Exact,
        deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
        nonce: BigInt(nextNonce),
      };
      const signature = await me.account.signTypedData(jobOrderTypedData(chain().deployment.chainId, escrow(), order));
      const accepted = await own.json<Order>('/api/v1/orders', {
        method: 'POST',
        body: { order: jobOrderToJson(order), signature, input: Buffer.from(images[1].png).toString('base64') },
      });
      // The order is in flight: ask to withdraw everything.
      const wallet = chain().walletFor(me.address);
      assert.ok(wallet);
      await chain().publicClient.waitForTransactionReceipt({
        hash: await wallet.writeContract({
          address: escrow(),
          abi: computeEscrowAbi,
          functionName: 'requestWithdrawal',
          args: [zeroAddress, price * 2n],
        } as never),
      });
      assert.equal((await settled(own, accepted.orderHash)).phase, 'settled', 'the in-flight order was paid');
      assert.equal(await balance(me.address), price, 'one job charged; the rest waits for the withdrawal delay');
      // A new order is refused now: what is left is promised to the withdrawal.
      const next = { ...order, nonce: order.nonce + 1n };
      const nextSignature = await me.account.signTypedData(
        jobOrderTypedData(chain().deployment.chainId, escrow(), next),
      );
      const refused = await own
        .json('/api/v1/orders', {
          method: 'POST',
          body: {
            order: jobOrderToJson(next),
            signature: nextSignature,
            input: Buffer.from(images[1].png).toString('base64'),
          },
        })
        .then(
          () => undefined,
          (error: SoukApiError) => error,
        );
      assert.equal(refused?.status, 402);
      await assertMoneyInvariant();
    });
  });
}
