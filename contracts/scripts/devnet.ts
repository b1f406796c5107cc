/**
 * `npm start` (until the Souk node exists): starts the embedded devnet — anvil with the contracts deployed, state
 * kept in the data directory — prints addresses and funded dev accounts, and runs until Ctrl-C.
 *
 * The state (`<data dir>/anvil-state.json.gz`) is saved atomically within 5 s of each new block and on Ctrl-C; a
 * crash loses at most those last seconds (the node, `souk start`, also saves before it acknowledges a write). anvil
 * dies with this script, and a devnet port held by another process is refused.
 *
 * Environment: SOUK_DATA_DIR (default `.souk` in the repository), SOUK_RPC_PORT (default 8545).
 */
import path from 'node:path';
import { AnvilStartError } from '../ts/anvil.ts';
import { describeDevnet, startDevnet } from '../ts/devnet.ts';

const dataDir = path.resolve(process.env.SOUK_DATA_DIR ?? path.join(import.meta.dirname, '..', '..', '.souk'));
const port = Number(process.env.SOUK_RPC_PORT ?? 8545);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`SOUK_RPC_PORT must be a TCP port (1-65535), got "${process.env.SOUK_RPC_PORT}".`);
  process.exit(2);
}

const devnet = await startDevnet({ dataDir, port, log: (line) => console.log(line) }).catch((error: Error) => {
  console.error(error instanceof AnvilStartError ? error.message : error);
  process.exit(1);
});
console.log(`\nSouk devnet is running (data in ${dataDir}).\n`);
console.log(await describeDevnet(devnet));
console.log('\nPress Ctrl-C to stop; the chain state is saved and resumed on the next start.');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: saving chain state and stopping anvil…`);
  await devnet.anvil.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
