/**
 * Moved to `@souk/protocol` (`src/bus/messages.ts`); re-exported here only until `createProviderAgent.ts` imports
 * them from there.
 */
export type { HeartbeatMessage, ProviderBus, ProviderBusMessage } from '@souk/protocol';
