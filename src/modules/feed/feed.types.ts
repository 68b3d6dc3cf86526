import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { Node } from '../../common/node';
import { toGlobalId } from '../../common/node-id';
import { badInput } from '../../common/errors';
import { MaxChars } from '../../common/arg-rules';
import { AuditEntityType } from '../audit/audit.enums';
import type { ChangeRecord } from './feed.writer';

export enum ChangeKind {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  ENDED = 'ENDED',
  DELETED = 'DELETED',
}
registerEnumType(ChangeKind, {
  name: 'ChangeKind',
  description: 'What a write did to a Node.',
  valuesConfig: {
    CREATED: { description: 'It was created (and perhaps changed again) by the write.' },
    UPDATED: { description: 'Some of its fields changed.' },
    ENDED: { description: 'It ended (a membership ended, a seat ended, a federation merged): it stays readable, with its end.' },
    DELETED: { description: 'It was removed (e.g. a seat on a review panel): `node` is null. Only ADMIN and ANALYST keys read these.' },
  },
});

/** A feed position: the writing transaction's id and the record's id. */
export interface FeedPosition {
  xid: string;
  id: string;
}

const CURSOR_RE = /^(\d{1,20}):(\d{1,19})$/;
const XID8_MAX = 18446744073709551615n;
const BIGINT_MAX = 9223372036854775807n;

export function encodeFeedCursor(p: FeedPosition): string {
  return Buffer.from(`${p.xid}:${p.id}`, 'utf8').toString('base64url');
}

/** The position of a cursor; BAD_USER_INPUT when it is not one the feed handed out. */
export function decodeFeedCursor(cursor: string): FeedPosition {
  const m = cursor.length <= 64 ? CURSOR_RE.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  // Out of the columns' range, PostgreSQL would refuse the value: an internal error instead of the caller's.
  if (!m || BigInt(m[1]) > XID8_MAX || BigInt(m[2]) > BIGINT_MAX) throw badInput('`after` is not a cursor of the change feed', { argumentName: 'after' });
  return { xid: m[1], id: m[2] };
}

@ObjectType('Change', {
  description:
    'One change of the graph, as the change feed (`changes`) and the `changed` subscription deliver it: which Node, what happened to it, where it sits. Ids and codes only: load the Node itself through `node` (personal data stays behind its usual rules).',
})
export class Change {
  @Field(() => String, { description: 'Position of this change in the feed: pass it as `changes(after:)` to read what follows it.' })
  cursor!: string;

  @Field(() => AuditEntityType, { description: 'The type of the Node that changed, as the audit log names it (`PANEL_MEMBER` for a `PanelMember`).' })
  type!: string;

  @Field(() => ID, { description: 'Global id of the Node that changed (as `node(id:)` takes it).' })
  nodeId!: string;

  @Field(() => ChangeKind, { description: 'What the write did to it.' })
  kind!: ChangeKind;

  @Field(() => String, {
    nullable: true,
    description:
      "Code of the association the Node belongs to, when it belongs to one (a membership, an association's opinion, seat, thread or post, the association itself); null for a person (`Intellectual`), who belongs to no one association.",
  })
  associationCode!: string | null;

  @Field(() => String, { nullable: true, description: 'Code of the federation the Node sits in, when it sits in one (null for a person or a policy document).' })
  federationCode!: string | null;

  @Field(() => DateTimeResolver, { description: 'When the write that made this change ran (its transaction time).' })
  at!: Date;

  // `node` is a field of ChangeResolver (feed.resolver.ts): loaded only when asked for.

  /** The Node as the viewer's visibility check loaded it (null: gone); undefined: not loaded yet. */
  loaded?: Node | null;

  /** The Node's internal id. */
  entityId!: number;
}

/** A record as a Change; `node` as loaded by the visibility check, if it loaded it (undefined: load it when asked for). */
export function toChange(r: ChangeRecord, node?: Node | null): Change {
  const c = new Change();
  c.cursor = encodeFeedCursor({ xid: r.xid, id: r.id });
  c.type = r.entityType;
  c.nodeId = toGlobalId(r.entityType, r.entityId);
  c.kind = r.kind as ChangeKind;
  c.associationCode = r.associationCode;
  c.federationCode = r.federationCode;
  c.at = r.at;
  c.loaded = r.kind === 'DELETED' ? null : node;
  c.entityId = r.entityId;
  return c;
}

@InputType('ChangeFilter', { description: 'Which changes to read: every condition given must hold.' })
export class ChangeFilter {
  @Field(() => [AuditEntityType], { nullable: true, description: 'Only changes of Nodes of these types (1 to 30 of them).' })
  types?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Only changes that concern this association (by code): see `Change.associationCode`.' })
  @MaxChars(64)
  associationCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Only changes that concern this federation (by code): see `Change.federationCode`.' })
  @MaxChars(64)
  federationCode?: string | null;
}

/** BAD_USER_INPUT unless the filter is within its bounds (`changes` and `changed` alike). */
export function checkChangeFilter(filter: ChangeFilter | null | undefined): void {
  if (filter?.types && (filter.types.length < 1 || filter.types.length > 30)) throw badInput('filter.types takes 1 to 30 types', { argumentName: 'filter' });
}

@ObjectType('ChangeFeedPageInfo', { description: 'Where a page of the change feed ends.' })
export class ChangeFeedPageInfo {
  @Field(() => String, {
    nullable: true,
    description:
      'Pass it as `after` to read on. It moves past changes you may not see too, so keep the last one you were given even when a page is empty; null only when the feed holds nothing yet for you to follow and no `after` was given.',
  })
  endCursor!: string | null;

  @Field(() => Boolean, { description: 'True when more changes are ready now; false when you have caught up (come back later with `endCursor`).' })
  hasNextPage!: boolean;
}

@ObjectType('ChangeFeedPage', { description: 'A page of the change feed, in feed order.' })
export class ChangeFeedPage {
  @Field(() => [Change], { description: 'The changes, oldest first.' })
  nodes!: Change[];

  @Field(() => ChangeFeedPageInfo, { description: 'Where to read on.' })
  pageInfo!: ChangeFeedPageInfo;
}
