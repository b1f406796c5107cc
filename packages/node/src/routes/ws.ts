/**
 * WebSocket `/ws`: live Souk events as the indexer applies them. A client sends
 * `{"type":"subscribe","topics":["asset","listing","licence","provider","order"],"filter":{"assetId":"1","orderHash":"0x…","address":"0x…"}}`
 * (every field optional; a new subscribe replaces the old one) and receives
 * `{"type":"event","topic":"order","event":"JobSettled","args":{…},"blockNumber":"…","transactionHash":"…","logIndex":0}`.
 */
import type { FastifyInstance } from 'fastify';
import type { SoukEvent } from '../indexer/index.ts';

const TOPICS = {
  agentNft: 'asset',
  marketplace: 'listing',
  licenses: 'licence',
  providerRegistry: 'provider',
  computeEscrow: 'order',
  lineageRoyalties: 'asset', // DerivedMinted: a derived model minted with its lineage split
} as const;
type Topic = (typeof TOPICS)[keyof typeof TOPICS];
type Subscription = { topics: Set<Topic>; assetId?: string; orderHash?: string; address?: string };

const json = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

/** Whether `event` passes `sub`'s topic and filters. */
export function matches(sub: Subscription, event: SoukEvent): boolean {
  const topic = TOPICS[event.contract];
  if (sub.topics.size > 0 && !sub.topics.has(topic)) return false;
  const args = (event.args ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (v === undefined ? undefined : String(v).toLowerCase());
  if (sub.assetId !== undefined && ![args.tokenId, args.assetId, args.modelId].map(str).includes(sub.assetId))
    return false;
  if (sub.orderHash !== undefined && (topic !== 'order' || str(args.orderHash) !== sub.orderHash)) return false;
  if (sub.address !== undefined && !Object.values(args).some((v) => str(v) === sub.address)) return false;
  return true;
}

export default async function wsRoutes(app: FastifyInstance) {
  app.get(
    '/ws',
    { websocket: true, schema: { tags: ['events'], summary: 'Live events (WebSocket); see description', hide: false } },
    (socket) => {
      let sub: Subscription | undefined;
      const listener = (event: SoukEvent) => {
        if (!sub || !matches(sub, event)) return;
        socket.send(
          json({
            type: 'event',
            topic: TOPICS[event.contract],
            event: event.eventName,
            args: event.args,
            blockNumber: event.blockNumber,
            transactionHash: event.transactionHash,
            logIndex: event.logIndex,
          }),
        );
      };
      app.souk.events.on('event', listener);
      socket.on('close', () => app.souk.events.off('event', listener));
      socket.on('message', (raw: Buffer) => {
        let message: { type?: unknown; topics?: unknown; filter?: Record<string, unknown> };
        try {
          message = JSON.parse(raw.toString());
        } catch {
          socket.send(json({ type: 'error', detail: 'Messages must be JSON.' }));
          return;
        }
        if (message.type !== 'subscribe') {
          socket.send(json({ type: 'error', detail: 'Only {"type":"subscribe", …} is understood.' }));
          return;
        }
        const topics = Array.isArray(message.topics) ? message.topics : [];
        const known = new Set(Object.values(TOPICS) as string[]);
        const unknown = topics.filter((t) => typeof t !== 'string' || !known.has(t));
        if (unknown.length > 0) {
          socket.send(
            json({ type: 'error', detail: `Unknown topics ${json(unknown)}; use ${[...known].join(', ')}.` }),
          );
          return;
        }
        const f = message.filter ?? {};
        sub = {
          topics: new Set(topics as Topic[]),
          ...(f.assetId !== undefined ? { assetId: String(f.assetId).toLowerCase() } : {}),
          ...(f.orderHash !== undefined ? { orderHash: String(f.orderHash).toLowerCase() } : {}),
          ...(f.address !== undefined ? { address: String(f.address).toLowerCase() } : {}),
        };
        socket.send(json({ type: 'subscribed', topics: [...sub.topics] }));
      });
    },
  );
}
