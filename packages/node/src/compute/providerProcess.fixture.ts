/**
 * A provider agent in a process of its own, for crash drills (`faults.test.ts` kills it with SIGKILL): it joins the
 * node's NATS JetStream bus, registers, serves jobs, and prints its log lines on stdout. Configured by environment:
 *
 * | variable | meaning |
 * | --- | --- |
 * | `PROVIDER_KEY` | the provider's private key |
 * | `RPC_URL`, `CHAIN_ID` | the chain |
 * | `CONTRACTS` | JSON `{ computeMarket, providerRegistry, soukToken }` |
 * | `NATS_URL`, `BUS_PREFIX` | the node's bus (stream `SOUK_JOBS_<PREFIX>`, as the node names it) |
 * | `DATA_DIR` | where pending reveals are kept (the same directory after a restart) |
 * | `STAKE_WEI` | stake bonded at registration |
 */
import { createProviderAgent } from '@souk/provider';
import { privateKeyToAccount } from 'viem/accounts';
import { createJobBus } from '../bus/createJobBus.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const prefix = env('BUS_PREFIX');
const bus = await createJobBus({
  natsUrl: env('NATS_URL'),
  subjectPrefix: prefix,
  stream: `SOUK_JOBS_${prefix.toUpperCase()}`,
  consumerPrefix: 'souk-provider',
});
const agent = createProviderAgent({
  account: privateKeyToAccount(env('PROVIDER_KEY') as `0x${string}`),
  rpcUrl: env('RPC_URL'),
  chainId: Number(env('CHAIN_ID')),
  contracts: JSON.parse(env('CONTRACTS')),
  bus,
  dataDir: env('DATA_DIR'),
  stakeWei: BigInt(env('STAKE_WEI')),
  heartbeatIntervalMs: 500,
  revealPollMs: 200,
  log: (line) => console.log(line),
});
await agent.start();
console.log('PROVIDER UP');
process.once('SIGTERM', async () => {
  await agent.stop();
  await bus.close();
  process.exit(0);
});
