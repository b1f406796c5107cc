/**
 * The dependencies routes use, decorated onto the Fastify instance as `app.souk` by `app.ts`. Built by
 * `server.ts` (real services) or by tests (real services on temporary directories).
 */
import type { EventEmitter } from 'node:events';
import type { Registry } from 'prom-client';
import type { JobBus } from './bus/types.ts';
import type { ChainService } from './chain/index.ts';
import type { NodeConfig } from './config.ts';
import type { SoukDb } from './db/index.ts';
import type { Indexer } from './indexer/index.ts';
import type { OrderCoordinator } from './orders/coordinator.ts';
import type { ContentStore } from './storage/blocks.ts';
import type { SymmetricKey } from './storage/crypto.ts';
import type { Gateway } from './storage/gateway.ts';

/** Content-addressed blocks plus the encrypting gateway on top of them. */
export type StorageService = { store: ContentStore; gateway: Gateway; masterKey: SymmetricKey };

export type NodeServices = {
  config: NodeConfig;
  chain: ChainService;
  db: SoukDb;
  storage: StorageService;
  /** Absent when the node runs without indexing (tests of single routes). */
  indexer?: Indexer | undefined;
  /** HMAC key for access tokens (HS256), ≥ 32 bytes. */
  jwtKey: Uint8Array;
  /** Emits `'event'` with each `SoukEvent` the indexer applied (feeds the WebSocket). */
  events: EventEmitter;
  /** Prometheus registry the node's metrics live in. */
  metrics: Registry;
  /** The job bus (in-process, or NATS JetStream with `NATS_URL`). */
  bus?: JobBus | undefined;
  /** The order coordinator of compute protocol v2 (`orders/`), while this node is the leader. */
  orders?: OrderCoordinator | undefined;
};

declare module 'fastify' {
  interface FastifyInstance {
    /** The node's services (chain, database, storage, indexer). */
    souk: NodeServices;
  }
}
