/**
 * Moved to `@souk/protocol` (`src/bus/messages.ts`); re-exported here only until `createProviderAgent.ts` imports
 * them from there.
 */
export type {
  AssignmentMessage,
  HeartbeatMessage,
  ProviderBus,
  ProviderBusMessage,
  ResultNotice,
} from '@souk/protocol';
