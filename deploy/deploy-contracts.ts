/**
 * One-shot deployment for `deploy/compose.yaml`: deploys Souk to the chain at `RPC_URL` with `DEPLOYER_KEY` (unless
 * `<DEPLOYMENTS_DIR>/<chainId>.json` already names contracts that have code there), writes that file for the nodes
 * (`SOUK_DEPLOYMENTS`), and gives each address of `FUND_ACCOUNTS` `FUND_SOUK` SOUK for its provider stake.
 *
 * Environment: RPC_URL, DEPLOYER_KEY (0x-hex private key; it also becomes the operator: SCHEDULER_ROLE and
 * REFEREE_ROLE), DEPLOYMENTS_DIR (default `deployments`), FUND_ACCOUNTS (comma-separated addresses), FUND_SOUK
 * (default 2000). Exits 0 when the deployment is there, 1 on an error.
 */
import { deploySouk, readDeployment, soukTokenAbi } from '@souk/contracts';
import { createPublicClient, createWalletClient, defineChain, getAddress, type Hex, http, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const rpcUrl = process.env.RPC_URL;
const key = process.env.DEPLOYER_KEY as Hex | undefined;
if (!rpcUrl || !key) {
  console.error('deploy-contracts: set RPC_URL and DEPLOYER_KEY.');
  process.exit(2);
}
const deploymentsDir = process.env.DEPLOYMENTS_DIR ?? 'deployments';
const probe = createPublicClient({ transport: http(rpcUrl) });
const chain = defineChain({
  id: await probe.getChainId(),
  name: 'souk',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [rpcUrl] } },
});
const publicClient = createPublicClient({ chain, transport: http(rpcUrl) });
const walletClient = createWalletClient({ account: privateKeyToAccount(key), chain, transport: http(rpcUrl) });

const saved = readDeployment(deploymentsDir, chain.id);
const code = saved ? await publicClient.getCode({ address: saved.contracts.agentNft }) : undefined;
if (saved && code && code !== '0x') {
  console.log(`deploy-contracts: Souk is already deployed on chain ${chain.id} (${deploymentsDir}/${chain.id}.json)`);
} else {
  const deployment = await deploySouk({ walletClient, publicClient, deploymentsDir });
  console.log(`deploy-contracts: deployed Souk on chain ${chain.id}; wrote ${deploymentsDir}/${chain.id}.json`);
  const amount = parseEther(process.env.FUND_SOUK ?? '2000');
  for (const entry of (process.env.FUND_ACCOUNTS ?? '').split(',').filter(Boolean)) {
    const to = getAddress(entry.trim());
    const hash = await walletClient.writeContract({
      address: deployment.contracts.soukToken,
      abi: soukTokenAbi,
      functionName: 'transfer',
      args: [to, amount],
    });
    await publicClient.waitForTransactionReceipt({ hash });
    console.log(`deploy-contracts: funded ${to} with ${process.env.FUND_SOUK ?? '2000'} SOUK`);
  }
}
