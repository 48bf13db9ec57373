export { CREATE_ACTIONS, INCOMING_PREFIX, type IncomingKey, parseIncomingKey } from './incoming.ts';
export {
  COMPLETE_LEASE_MS,
  checkAbort,
  checkComplete,
  checkPart,
  checkServerPartBytes,
  choosePartBytes,
  isExpired,
  missingParts,
  type Problem,
  partCount,
  partSize,
  type SessionRecord,
  sessionView,
} from './session.ts';
