/**
 * Moved to `@souk/protocol` (`src/bus/messageIds.ts`); re-exported here only until `compute/coordinator.ts` imports
 * it from there.
 */
export {
  type AssignmentRef,
  assignmentMessageId,
  type MessageScope,
  messageScope,
  revealMessageId,
} from '@souk/protocol';
