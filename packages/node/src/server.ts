/**
 * `startNode(config)`: the whole node — chain (embedded devnet or external RPC), database (PGlite or PostgreSQL),
 * storage (Helia or Kubo), indexer and HTTP API — with graceful shutdown.
 */

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createProviderAgent, type ProviderAgent } from '@souk/provider';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { build } from './app.ts';
import { createJobBus } from './bus/createJobBus.ts';
import { createChain } from './chain/index.ts';
import { type LeaderRole, leaderLockKey, startLeaderElection, startRoles } from './cluster/leader.ts';
import { ensureCatalogue, type PublishedModel } from './compute/catalogue/index.ts';
import { createReferee } from './compute/referee.ts';
import type { NodeConfig } from './config.ts';
import { openDatabase } from './db/index.ts';
import { copyManifestMetadata } from './gateway/manifestMetadata.ts';
import { createIndexer } from './indexer/index.ts';
import { startOrderRole } from './orders/index.ts';
import { startLineageRecorder } from './orders/lineageRecorder.ts';
import type { NodeServices } from './services.ts';
import { createHeliaStore, createKuboStore } from './storage/blocks.ts';
import { createGateway } from './storage/gateway.ts';
import { loadMasterKey } from './storage/keys.ts';

/** A running node. */
export type RunningNode = {
  /** Base URL of the HTTP API. */
  url: string;
  services: NodeServices;
  /** Local providers started with the node (`config.providers`). */
  providers: ProviderAgent[];
  /** The sample OCR model's asset id (devnet), when published. */
  sampleModelId?: bigint | undefined;
  /** The catalogue models published on this devnet (`config.catalogue`), in catalogue order. */
  catalogue: PublishedModel[];
  /** Graceful stop: stop accepting, finish in-flight requests, checkpoint the indexer, close db/storage/chain. */
  stop: () => Promise<void>;
};

/** Reads or creates a 32-byte secret file with mode 0600. */
function secretFile(file: string): Uint8Array {
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return new Uint8Array(readFileSync(file));
  }
  const secret = randomBytes(32);
  writeFileSync(file, secret, { mode: 0o600 });
  return new Uint8Array(secret);
}

/**
 * Starts every component of the node and listens on `config.host:config.port`.
 * @param log Progress lines (the CLI prints them).
 * @throws {AnvilStartError}, database or storage errors when a component cannot start; components already
 * started are stopped again before the error propagates.
 */
export async function startNode(
  config: NodeConfig,
  {
    log = () => {},
    logger = { level: 'info' },
  }: { log?: (line: string) => void; logger?: false | { level: string } } = {},
): Promise<RunningNode> {
  mkdirSync(config.dataDir, { recursive: true });
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    cleanups.length = 0;
  };
  try {
    log(config.rpcUrl ? `connecting to ${config.rpcUrl}…` : 'starting the embedded devnet (anvil)…');
    const chain = await createChain(config, log);
    cleanups.push(() => chain.stop());

    log(config.databaseUrl ? 'connecting to PostgreSQL…' : 'opening PGlite…');
    const db = await openDatabase(
      config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: path.join(config.dataDir) },
    );
    cleanups.push(() => db.close());

    const masterKey = await loadMasterKey({ dataDir: config.dataDir });
    const store = config.kuboApiUrl
      ? await createKuboStore({ apiUrl: config.kuboApiUrl })
      : await createHeliaStore({ dataDir: config.dataDir });
    cleanups.push(() => store.stop());
    const gateway = createGateway({ store, masterKey });

    log(config.natsUrl ? `connecting the job bus to NATS JetStream (${config.natsUrl})…` : 'job bus: in-process');
    const bus = await createJobBus({
      natsUrl: config.natsUrl,
      subjectPrefix: config.busPrefix,
      stream: config.busPrefix === 'souk' ? 'SOUK_JOBS' : `SOUK_JOBS_${config.busPrefix.toUpperCase()}`,
    });
    cleanups.push(() => bus.close());

    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics });
    const events = new EventEmitter();
    events.setMaxListeners(0); // one listener per WebSocket client
    const indexer = createIndexer({
      db,
      publicClient: chain.publicClient,
      deployment: chain.deployment,
      confirmations: config.confirmations,
      pollIntervalMs: chain.devnet ? 500 : 2000,
      onEvent: async (event) => {
        events.emit('event', event);
        // Assets minted from a wallet (unsigned path) get their manifest fields once their mint is indexed.
        if (
          event.contract === 'agentNft' &&
          (event.eventName === 'AssetMinted' || event.eventName === 'VersionPublished')
        ) {
          const { tokenId, uri } = event.args;
          if (uri.startsWith('ipfs://')) await copyManifestMetadata(db, tokenId, uri.slice('ipfs://'.length));
        }
      },
    });
    new Gauge({
      name: 'souk_indexer_lag_blocks',
      help: 'Blocks between the chain head and the indexer checkpoint',
      registers: [metrics],
      async collect() {
        this.set(await indexer.lag());
      },
    });
    await indexer.start();
    cleanups.push(() => indexer.stop());
    // New head → indexer, at once where the chain can say so (the devnet's block subscription), rather than at the
    // next poll: a write the API acknowledged is readable as soon as its block is indexed. A burst of blocks costs
    // one catch-up sync plus at most one more.
    let syncing: Promise<unknown> | undefined;
    let resync = false;
    let closing = false;
    const syncNow = (): void => {
      if (closing) return;
      if (syncing) {
        resync = true;
        return;
      }
      syncing = indexer
        .syncOnce()
        .catch((error) => log(`indexer: indexing on a new block failed: ${(error as Error).message}`))
        .finally(() => {
          syncing = undefined;
          if (resync) {
            resync = false;
            syncNow();
          }
        });
    };
    const unwatchBlocks = chain.watchBlocks?.(() => syncNow());
    cleanups.push(async () => {
      closing = true;
      unwatchBlocks?.();
      await syncing;
    });

    const jwtKey = config.jwtSecret
      ? new TextEncoder().encode(config.jwtSecret)
      : secretFile(path.join(config.dataDir, 'jwt.key'));
    const services: NodeServices = {
      config,
      chain,
      db,
      storage: { store, gateway, masterKey },
      indexer,
      jwtKey,
      events,
      metrics,
      bus,
    };
    const app = await build(services, { logger, timeouts: config.httpTimeouts });
    cleanups.push(() => app.close());
    const address = await app.listen({ host: config.host, port: config.port });

    if (chain.operator) {
      const referee = createReferee(services);
      cleanups.push(() => referee.close());
      // Leader-only roles: of the nodes serving this market on one PostgreSQL, only the lease holder runs them
      // (docs/deploy.md). To add one, append `{ name, start }` — `start` resolves once it runs, to an object whose
      // `stop()` ends every side effect (no more transactions) before it resolves; it may be started again after a
      // lost and regained lease. Roles start in this order and stop in reverse.
      const leaderRoles: LeaderRole[] = [
        {
          // The one compute path (protocol v2): order coordinator + batch settler (`orders/`).
          name: 'orders',
          start: () =>
            startOrderRole(services, bus, referee, {
              nodeUrl: config.publicUrl ?? address, // where providers download from: must reach this node
              auditRate: config.auditRate,
              decide: { commitTimeoutMs: config.commitTimeoutSeconds * 1000 },
              settler: { intervalMs: config.batchIntervalMs },
              log,
            }),
        },
        {
          // Trained models' lineage on-chain (`Lineages.record`), from the rows the content binding left pending.
          name: 'lineages',
          start: async () => startLineageRecorder(services, { intervalMs: chain.devnet ? 500 : 2000, log }),
        },
      ];
      const { chainId, contracts } = chain.deployment;
      const election = startLeaderElection({
        databaseUrl: config.databaseUrl,
        key: leaderLockKey({ chainId, computeEscrow: contracts.computeEscrow }),
        onElected: () => startRoles(leaderRoles, log),
        log,
      });
      cleanups.push(() => election.stop());
      new Gauge({
        name: 'souk_leader',
        help: "1 when this node holds the market's leader lease and runs the coordinator, else 0",
        registers: [metrics],
        collect() {
          this.set(election.isLeader() ? 1 : 0);
        },
      });
      await election.ready;
      log(election.isLeader() ? 'leader: this node schedules compute jobs' : 'leader: standby (another node leads)');
    } else {
      log('no operator key (SOUK_OPERATOR_KEY): this node does not schedule compute jobs');
    }
    const catalogue = await ensureCatalogue(app, config.catalogue, log);
    const sampleModelId = catalogue.find((m) => m.key === 'ocr')?.assetId;

    const providers: ProviderAgent[] = [];
    const accounts = config.providers > 0 ? chain.devAccounts.slice(-config.providers).reverse() : []; // 9, 8, … (users take the low ones)
    for (const dev of accounts) {
      const agent = createProviderAgent({
        account: dev.account,
        rpcUrl: chain.rpcUrl,
        chainId: chain.deployment.chainId,
        contracts: chain.deployment.contracts,
        bus,
        log,
      });
      await agent.start();
      providers.push(agent);
      cleanups.push(() => agent.stop());
    }
    return { url: address, services, providers, sampleModelId, catalogue, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
