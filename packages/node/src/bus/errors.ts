/**
 * Errors of the job bus implementations (`src/bus`), on `@souk/protocol`'s `BusError` base (literal `name`, one-line
 * `shortMessage`, machine-readable `details`, the wrapped `cause`); the subject rules' `InvalidSubjectError` lives
 * there too.
 */
import { BusError } from '@souk/protocol';

/** Thrown when publishing or subscribing on a bus that was closed. */
export class BusClosedError extends BusError {
  override name = 'BusClosedError' as const;
  constructor() {
    super('The job bus is closed.');
  }
}

/** Thrown when a durable consumer exists with a different subject filter than the one subscribed with. */
export class ConsumerConflictError extends BusError {
  override name = 'ConsumerConflictError' as const;
  /** @param params The durable name and both filters. */
  constructor({ durable, existing, requested }: { durable: string; existing: string; requested: string }) {
    super(`Durable consumer "${durable}" already filters "${existing}", not "${requested}".`, {
      details: { durable, existing, requested },
    });
  }
}

/** Thrown when the NATS server or JetStream fails a publish, a stream or a consumer operation. */
export class BusTransportError extends BusError {
  override name = 'BusTransportError' as const;
}
