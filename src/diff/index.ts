export { addCounts, diffMembers, emptyCounts, movement, type RunView, TopEntries } from './diff.ts';
export {
  BUCKETS,
  bucketRange,
  decodeEntries,
  decodeHeader,
  decodeIndex,
  encodeIndex,
  encodeMembers,
  idHalves,
  idText,
  MEMBERS_HEADER_BYTES,
  type Member,
  type MembersHeader,
  partBuckets,
} from './members.ts';
