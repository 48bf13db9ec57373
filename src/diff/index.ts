export { addCounts, diffMembers, emptyCounts, movement, type RunView, TopEntries } from './diff.ts';
export {
  BUCKETS,
  bucketRange,
  decodeEntries,
  decodeHeader,
  decodeIndex,
  encodeIndex,
  encodeMemberColumns,
  encodeMembers,
  idHalves,
  idText,
  MEMBERS_HEADER_BYTES,
  type Member,
  type MemberColumns,
  type MembersHeader,
  memberColumns,
  partBuckets,
} from './members.ts';
