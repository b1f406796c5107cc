import type { SoukClient } from '../../clients/createSoukClient.ts';
import { SoukError } from '../../errors/base.ts';

/** Event topics: `asset` (AgentNFT), `listing` (Marketplace), `licence` (Licenses), `provider` (ProviderRegistry), `order` (ComputeEscrow). */
export type EventTopic = 'asset' | 'listing' | 'licence' | 'provider' | 'order';

/** A live Souk event, sent as the node's indexer applies it. */
export type SoukEventMessage = {
  type: 'event';
  topic: EventTopic;
  /** Event name, e.g. `Listed`, `Sold`, `JobSettled`. */
  event: string;
  /** Decoded arguments; uints as decimal strings. */
  args: Record<string, unknown>;
  /** Decimal string. */
  blockNumber: string;
  transactionHash: string;
  logIndex: number;
};

export type SubscribeEventsParameters = {
  /** Topics to receive; empty or omitted = every topic. */
  topics?: EventTopic[] | undefined;
  /** Only events naming this asset, order (its EIP-712 hash), or address (in any argument). Every field optional. */
  filter?:
    | { assetId?: bigint | undefined; orderHash?: `0x${string}` | undefined; address?: string | undefined }
    | undefined;
  /** Called for each event, in the order the node sends them. */
  onEvent: (event: SoukEventMessage) => void;
  /** Called when the connection fails or closes unexpectedly after the subscription was acknowledged. */
  onError?: ((error: SoukError) => void) | undefined;
  /** How long to wait for the node's acknowledgement, seconds. @default 10 */
  timeoutSeconds?: number | undefined;
};
export type SubscribeEventsReturnType = {
  /** Closes the WebSocket; no more events are delivered. */
  close: () => void;
};
export type SubscribeEventsErrorType = SoukError;

/**
 * Subscribes to live Souk events over the node's WebSocket (`/ws`, Node's global `WebSocket`). Resolves once the
 * node acknowledged the subscription (`{"type":"subscribed"}`), so no event emitted afterwards is missed.
 * @param client - A Souk client (its `url`, `http(s)` becomes `ws(s)`).
 * @param parameters - {@link SubscribeEventsParameters}
 * @returns A handle to close the subscription.
 * @throws {SoukError} when the socket cannot connect, the node refuses the subscription (e.g. an unknown topic),
 * or no acknowledgement arrives within `timeoutSeconds`.
 * @example
 * ```ts
 * import { createSoukClient, subscribeEvents } from '@souk/sdk'
 * const client = createSoukClient({ url: 'http://127.0.0.1:8080' })
 * const subscription = await subscribeEvents(client, {
 *   topics: ['listing'],
 *   filter: { assetId: 1n },
 *   onEvent: (e) => console.log(e.event, e.args),
 * })
 * // …
 * subscription.close()
 * ```
 */
export function subscribeEvents(
  client: SoukClient,
  { topics = [], filter = {}, onEvent, onError, timeoutSeconds = 10 }: SubscribeEventsParameters,
): Promise<SubscribeEventsReturnType> {
  const url = `${client.url.replace(/^http/, 'ws')}/ws`;
  return new Promise((resolve, reject) => {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch (cause) {
      reject(new SoukError(`Cannot open a WebSocket to ${url}.`, { cause, details: (cause as Error).message }));
      return;
    }
    let subscribed = false;
    let closed = false;
    const close = () => {
      closed = true;
      clearTimeout(timer);
      socket.close();
    };
    /** Before the acknowledgement: reject. After: report once through `onError`. */
    const fail = (error: SoukError) => {
      if (closed) return;
      close();
      if (subscribed) onError?.(error);
      else reject(error);
    };
    const timer = setTimeout(
      () => fail(new SoukError(`The node at ${url} did not acknowledge the subscription in ${timeoutSeconds} s.`)),
      timeoutSeconds * 1000,
    );
    socket.onopen = () => {
      socket.send(
        JSON.stringify({
          type: 'subscribe',
          topics,
          filter: {
            ...(filter.assetId !== undefined ? { assetId: String(filter.assetId) } : {}),
            ...(filter.orderHash !== undefined ? { orderHash: filter.orderHash } : {}),
            ...(filter.address !== undefined ? { address: filter.address } : {}),
          },
        }),
      );
    };
    socket.onmessage = (message) => {
      let data: { type?: unknown; detail?: unknown };
      try {
        data = JSON.parse(String(message.data));
      } catch (cause) {
        fail(new SoukError('The node sent a WebSocket message that is not JSON.', { cause }));
        return;
      }
      if (data.type === 'subscribed' && !subscribed) {
        subscribed = true;
        clearTimeout(timer);
        resolve({ close });
      } else if (data.type === 'event' && subscribed && !closed) {
        onEvent(data as SoukEventMessage);
      } else if (data.type === 'error') {
        fail(new SoukError('The node refused the event subscription.', { details: String(data.detail) }));
      }
    };
    socket.onerror = (event) =>
      fail(new SoukError(`WebSocket error on ${url}.`, { details: (event as ErrorEvent).message || undefined }));
    socket.onclose = (event) =>
      fail(
        new SoukError(`The node closed the event WebSocket (code ${event.code}).`, {
          details: event.reason || undefined,
        }),
      );
  });
}
