/** Shared fixtures for the TypeScript tests: a fresh anvil per suite and funded viem clients. */
import { createServer } from 'node:net';
import { createPublicClient, createTestClient, createWalletClient, http } from 'viem';
import { foundry } from 'viem/chains';
import { type Anvil, startAnvil } from './anvil.ts';
import { devAccounts } from './devnet.ts';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts anvil on a free port and returns clients for it; `stop()` ends it. */
export async function anvilFixture() {
  const anvil: Anvil = await startAnvil({ port: await freePort() });
  const transport = http(anvil.rpcUrl);
  const accounts = devAccounts();
  const publicClient = createPublicClient({ chain: foundry, transport });
  const testClient = createTestClient({ chain: foundry, mode: 'anvil', transport });
  const wallet = (index: number) => createWalletClient({ account: accounts[index].account, chain: foundry, transport });
  return { anvil, accounts, publicClient, testClient, wallet, stop: () => anvil.stop() };
}
