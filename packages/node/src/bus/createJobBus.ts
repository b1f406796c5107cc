/**
 * Picks the job bus from configuration: NATS JetStream when `NATS_URL` is set, the in-process bus otherwise.
 */
import { createInProcessBus } from './inProcess.ts';
import { createNatsBus } from './nats.ts';
import type { JobBus } from './types.ts';

/** Parameters of {@link createJobBus}. */
export type CreateJobBusParameters = {
  /** The node's `NATS_URL` (comma-separated servers allowed); empty or missing selects the in-process bus. */
  natsUrl?: string | undefined;
  /** JetStream stream name (NATS only). @default 'SOUK_JOBS' */
  stream?: string | undefined;
  /** Root token of every subject. @default 'souk' */
  subjectPrefix?: string | undefined;
  /** Prefix of durable consumer names. @default 'souk-node' */
  consumerPrefix?: string | undefined;
};

/**
 * Creates the job bus the configuration asks for.
 *
 * @param parameters `natsUrl` and the names shared by both buses.
 * @returns The bus; both kinds implement the same {@link JobBus} contract.
 * @throws {BusTransportError} When `natsUrl` is set but NATS or its stream cannot be used.
 *
 * @example
 * ```ts
 * import { createJobBus } from './createJobBus.ts'
 * const bus = await createJobBus({ natsUrl: process.env.NATS_URL })
 * console.log(bus.kind) // 'nats' or 'in-process'
 * ```
 */
export async function createJobBus({
  natsUrl,
  stream,
  subjectPrefix,
  consumerPrefix,
}: CreateJobBusParameters = {}): Promise<JobBus> {
  if (natsUrl !== undefined && natsUrl.trim() !== '') {
    return createNatsBus({ servers: natsUrl, stream, subjectPrefix, consumerPrefix });
  }
  return createInProcessBus({ subjectPrefix, consumerPrefix });
}
