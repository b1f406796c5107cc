/**
 * Orders (`POST /api/v1/orders`) for a generic ONNX model are checked against the inputs its manifest declares
 * before any escrow is touched: a wrong tensor name, dtype, rank or static dimension is refused with 422
 * problem+json naming the tensor and what the manifest declares, and nothing is stored. A node with a real model
 * (the PP-OCR direction classifier) and no providers: acceptance alone is under test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { devAccounts } from '@souk/contracts';
import { freePort } from '@souk/contracts/test-utils';
import { hashJobOrder, jobOrderToJson, jobOrderTypedData, Verification } from '@souk/protocol';
import { createSoukClient, type SoukClient, signIn } from '@souk/sdk';
import { type Address, parseEther, sha256, zeroAddress } from 'viem';
import { loadConfig } from '../config.ts';
import { type RunningNode, startNode } from '../server.ts';
import { publishClassifier, zeros } from '../testing/models.ts';

const json = (tensors: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify({ tensors }));

describe('orders are checked against the manifest’s declared inputs before escrow', { timeout: 5 * 60_000 }, () => {
  let dataDir: string;
  let node: RunningNode;
  let client: SoukClient;
  let modelId: bigint;
  let nonce = 1n;
  const requester = devAccounts()[4];

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'souk-declared-inputs-'));
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: '0' },
      { SOUK_SAMPLE_MODEL: '0', RATE_LIMIT_PER_MINUTE: '100000' },
    );
    node = await startNode(config, { logger: false });
    client = createSoukClient({ url: node.url });
    await signIn(client, { account: requester.account });
    modelId = await publishClassifier(client, {
      name: 'Direction classifier',
      // The graph has 'p2o.DynamicDimension.*' names for H and W; fixed here so a static size can be refused.
      inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3, 48, 192] }],
    });
  });

  after(async () => {
    await node?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Signs an order for `input` (no escrow deposited) and posts it inline; returns the status and problem body. */
  async function post(input: Uint8Array) {
    const chain = node.services.chain;
    const escrow = chain.deployment.contracts.computeEscrow as Address;
    const order = {
      requester: requester.address,
      modelId,
      modelVersion: 0,
      inputHash: sha256(input),
      currency: zeroAddress as Address,
      maxPrice: parseEther('0.01'),
      redundancy: 1,
      verification: Verification.Exact,
      deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
      nonce: nonce++,
    };
    const signature = await requester.account.signTypedData(jobOrderTypedData(chain.deployment.chainId, escrow, order));
    const response = await client.request('/api/v1/orders', {
      method: 'POST',
      body: { order: jobOrderToJson(order), signature, input: Buffer.from(input).toString('base64') },
      accept: [402, 422],
    });
    const stored = await node.services.db
      .selectFrom('orders')
      .select('order_hash')
      .where('order_hash', '=', hashJobOrder(chain.deployment.chainId, escrow, order).toLowerCase())
      .executeTakeFirst();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      problem: (await response.json()) as { code: string; detail: string },
      stored: stored !== undefined,
    };
  }

  const cases = [
    {
      name: 'a static dimension that differs',
      input: () => json({ x: zeros([1, 3, 48, 100]) }),
      detail: 'tensor "x" has dimension 3 of size 100; the model declares 192 (x float32[batch,3,48,192]).',
    },
    {
      name: 'a dtype that differs',
      input: () => json({ x: zeros([1, 3, 48, 192], 'int32') }),
      detail: 'tensor "x" is int32; the model declares float32 (x float32[batch,3,48,192]).',
    },
    {
      name: 'a rank that differs',
      input: () => json({ x: zeros([3, 48, 192]) }),
      detail: 'tensor "x" has rank 3 ([3,48,192]); the model declares rank 4 (x float32[batch,3,48,192]).',
    },
    {
      name: 'a tensor name the model does not declare',
      input: () => json({ image: zeros([1, 3, 48, 192]) }),
      detail: 'tensor "x" is missing; the model takes x float32[batch,3,48,192].',
    },
  ];
  for (const c of cases) {
    test(`refuses ${c.name} with 422 problem+json naming the tensor, and stores nothing`, async () => {
      const refused = await post(c.input());
      assert.equal(refused.status, 422);
      assert.match(refused.contentType, /^application\/problem\+json/);
      assert.equal(refused.problem.code, 'SOUK_ERR_INVALID_JOB_INPUT');
      assert.equal(refused.problem.detail, `Asset ${modelId} (pipeline onnx) cannot take this input: ${c.detail}`);
      assert.equal(refused.stored, false);
    });
  }

  test('an input that matches (any batch size) passes the input checks and reaches the escrow check (402)', async () => {
    const passed = await post(json({ x: zeros([2, 3, 48, 192]) }));
    assert.equal(passed.status, 402, passed.problem.detail);
    assert.equal(passed.problem.code, 'SOUK_ERR_INSUFFICIENT_ESCROW');
    assert.equal(passed.stored, false);
  });

  // Regression (found by the OpenAPI fuzz): a deposit in an ERC-20 sends `approve` first, which succeeds for any
  // address, and the deposit's revert came only after it — a rejected request that wrote a transaction.
  test('a deposit in a currency the escrow refuses is refused (422) before any transaction is sent', async () => {
    const head = await node.services.chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const notAToken = devAccounts()[6].address; // an account without code: `approve` to it would "succeed"
    for (const [path, body] of [
      ['/api/v1/orders/escrow/deposit', { amountWei: '1000', currency: notAToken }],
      [
        '/api/v1/orders',
        {
          assetId: String(modelId),
          maxPriceWei: '1000',
          currency: notAToken,
          input: Buffer.from('{}').toString('base64'),
        },
      ],
    ] as const) {
      const response = await fetch(`${node.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${client.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const problem = (await response.json()) as { code?: string; detail?: string };
      assert.equal(response.status, 422, `${path}: ${problem.detail}`);
      assert.equal(problem.code, 'SOUK_ERR_INVALID_ORDER');
      assert.match(String(problem.detail), /not allowed by the ComputeEscrow/);
    }
    assert.equal(await node.services.chain.publicClient.getBlockNumber({ cacheTime: 0 }), head, 'no transaction sent');
  });
});
