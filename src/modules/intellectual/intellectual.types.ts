import { registerEnumType } from 'type-graphql';
import { ConnectionType, SortSpec, VI_COLLATION } from '../../common/pagination';
import { Intellectual } from './intellectual.entity';
import { Membership } from './membership.entity';

export const IntellectualConnection = ConnectionType('Intellectual', Intellectual, 'intellectual');
export const MembershipConnection = ConnectionType('Membership', Membership, 'membership');

export enum IntellectualOrder {
  VIETNAMESE_NAME = 'VIETNAMESE_NAME',
  RECENTLY_ADDED = 'RECENTLY_ADDED',
}
registerEnumType(IntellectualOrder, {
  name: 'IntellectualOrder',
  description: 'Orders for lists of people; every order is stable (ties broken by id).',
  valuesConfig: {
    VIETNAMESE_NAME: { description: 'The Vietnamese way: by given name (the last word), then full name, with Vietnamese collation (An < Ân < Bình < Đức).' },
    RECENTLY_ADDED: { description: 'Newest records first.' },
  },
});

export enum MembershipOrder {
  VIETNAMESE_NAME = 'VIETNAMESE_NAME',
  RECENTLY_JOINED = 'RECENTLY_JOINED',
  RECENTLY_ADDED = 'RECENTLY_ADDED',
}
registerEnumType(MembershipOrder, {
  name: 'MembershipOrder',
  description: 'Orders for lists of memberships; every order is stable (ties broken by id).',
  valuesConfig: {
    VIETNAMESE_NAME: { description: "By the member's given name, then full name, with Vietnamese collation." },
    RECENTLY_JOINED: { description: 'By the date admitted (`joinedOn`), most recent first; memberships without a date last; the same day newest record first.' },
    RECENTLY_ADDED: { description: 'Newest memberships first (as recorded in the hub).' },
  },
});

const byName = (alias: string, key: string): SortSpec => ({
  key,
  direction: 'asc',
  columns: [
    { column: 'given_name', type: 'text', sql: `${alias}.given_name`, collate: VI_COLLATION },
    { column: 'full_name', type: 'text', sql: `${alias}.full_name`, collate: VI_COLLATION },
    { column: 'id', type: 'int', sql: `${alias}.id` },
  ],
});
const newest = (alias: string, key: string): SortSpec => ({ key, direction: 'desc', columns: [{ column: 'id', type: 'int', sql: `${alias}.id` }] });

export const INTELLECTUAL_SORTS: Record<IntellectualOrder, SortSpec> = {
  VIETNAMESE_NAME: byName('i', 'iv'),
  RECENTLY_ADDED: newest('i', 'ir'),
};

/** Joined on, newest first, undated last: the indexes membership_{association,intellectual}_joined_idx serve it. */
const recentlyJoined: SortSpec = {
  key: 'mj',
  direction: 'desc',
  columns: [
    { column: 'joined_on', type: 'date', sql: 'm.joined_on', nullsAs: "'-infinity'::date" },
    { column: 'id', type: 'int', sql: 'm.id' },
  ],
};

export const MEMBERSHIP_SORTS: Record<MembershipOrder, SortSpec> = {
  VIETNAMESE_NAME: byName('m', 'mv'),
  RECENTLY_JOINED: recentlyJoined,
  RECENTLY_ADDED: newest('m', 'mr'),
};
