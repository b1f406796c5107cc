/**
 * An order (compute protocol v2) kept current by long polling: `GET /api/v1/orders/{hash}?waitMs=` answers as soon
 * as the order's phase changes, so the page follows running → agreed → ready → settling → settled without a timer.
 * It stops at a terminal phase, or when the node says the order is not the caller's (403) or unknown (404).
 */
import { getOrder, type Order, SoukApiError } from '@souk/sdk';
import { useEffect, useRef, useState } from 'react';
import { TERMINAL_ORDER_PHASES } from '../lib/orders.ts';
import { useNode } from './useNode.tsx';
import { useSession } from './useSession.tsx';

/** How long one poll may wait for a change, ms (the node allows up to 60,000). */
const WAIT_MS = 25_000;
/** Pause after a poll that brought no change, ms. */
const PAUSE_MS = 1_000;

export type LiveOrder = { order: Order | undefined; error: unknown };

/**
 * @param orderHash - The order's EIP-712 hash.
 * @param initial - The order as `POST /orders` returned it, if this page posted it (saves the first read).
 */
export function useLiveOrder(orderHash: string, initial?: Order | undefined): LiveOrder {
  const { client } = useNode();
  const session = useSession();
  const ensureSignedIn = useRef(session.ensureSignedIn);
  ensureSignedIn.current = session.ensureSignedIn;
  const [state, setState] = useState<LiveOrder>({ order: initial, error: null });

  // biome-ignore lint/correctness/useExhaustiveDependencies: `initial` only seeds the first poll of this hash
  useEffect(() => {
    let stopped = false;
    let current = initial?.orderHash === orderHash ? initial : undefined;
    setState({ order: current, error: null });
    (async () => {
      let failures = 0;
      while (!stopped && !(current && TERMINAL_ORDER_PHASES.includes(current.phase))) {
        try {
          await ensureSignedIn.current();
          const next = await getOrder(client, { orderHash, waitMs: current ? WAIT_MS : undefined });
          if (stopped) return;
          const unchanged = current?.phase === next.phase;
          current = next;
          failures = 0;
          setState({ order: next, error: null });
          // The wait ran out (or the node answered early): pause before asking again rather than spin.
          if (unchanged) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
        } catch (error) {
          if (stopped) return;
          setState((s) => ({ ...s, error }));
          if (error instanceof SoukApiError && (error.status === 403 || error.status === 404)) return;
          failures += 1;
          await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** failures, 10_000)));
        }
      }
    })();
    return () => {
      stopped = true;
    };
  }, [client, orderHash]);

  return state;
}
