import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context';
import { ErrorCode, HubError } from '../../common/errors';
import { Node } from '../../common/node';
import { NODE_TYPES } from '..';
import { Change, ChangeFeedPage, ChangeFilter } from './feed.types';
import { FEED_DEFAULT_FIRST, FEED_MAX_FIRST, FeedService } from './feed.service';
import { loadNode } from '../../common/module';
import type { LiveEvent } from './feed.live';

@Resolver()
export class FeedResolver {
  @Query(() => ChangeFeedPage, {
    description:
      "The change feed: every change of the graph the caller may see, in feed order, after a cursor. An app keeps the last `endCursor` and comes back with it: it gets each change once, in order, none skipped (changes of writes still in progress wait until they have ended). A caller sees the changes of the Nodes it may see now (`node(id:)`'s rules); ADMIN and ANALYST keys see every change, DELETED ones included. Changes are kept CHANGE_FEED_RETENTION_DAYS (30 by default); an older cursor answers CURSOR_EXPIRED: read in full again, then follow from a new cursor. The `changed` subscription delivers the same changes as they happen.",
  })
  changes(
    @Arg('after', () => String, { nullable: true, description: 'A cursor from an earlier page or change; none: from the oldest change kept.' }) after: string | null,
    @Arg('first', () => Int, { nullable: true, description: `How many changes at most (1 to ${FEED_MAX_FIRST}; default ${FEED_DEFAULT_FIRST}).` }) first: number | null,
    @Arg('filter', () => ChangeFilter, { nullable: true, description: 'Which changes.' }) filter: ChangeFilter | null,
    @Ctx() ctx: Context,
  ): Promise<ChangeFeedPage> {
    return new FeedService(ctx.em).page(ctx.viewer, ctx.loaders, NODE_TYPES, after, first, filter);
  }

  @Query(() => String, {
    nullable: true,
    description:
      'The end of the change feed now: `changes(after:)` from it answers only the changes made from now on. An app starting afresh, or told CURSOR_EXPIRED, takes it first, then reads its data in full, then follows the feed from it: nothing is missed between the two. With read replicas, ask for it in the same document as that data: a document that reads the feed reads everything on the primary. Null while the feed holds no change (follow it with `after: null`).',
  })
  changesEndCursor(@Ctx() ctx: Context): Promise<string | null> {
    return new FeedService(ctx.em).end();
  }

  @Subscription(() => Change, {
    description:
      'The changes of the graph as they are committed, each one the caller may see (the same rule as `changes`: the Node is checked against the key when the change is delivered), over WebSocket only (graphql-ws protocol at /graphql; the key in `connectionParams.authorization`). At most once and no replay: a change committed while you were not subscribed, or lost on the way (a dropped connection, Redis away between hubs, a client reading too slowly), is not sent again. Changes come in commit order, which can differ from the feed\'s order. So after a (re)connection, subscribe first, then catch up with `changes(after:)` from the last `endCursor` the feed gave you (not from a cursor received here: a change of a write that began earlier can commit later and sit before it in the feed), and apply what you get twice only once (the same `cursor`), or again: `node` is the Node as it is now either way.',
    subscribe: ({ args, context }) => {
      const live = (context as Context).live;
      if (!live) throw new HubError(ErrorCode.BAD_USER_INPUT, 'Subscriptions are served over WebSocket only (graphql-ws at /graphql)');
      return live.changes((args as { filter?: ChangeFilter | null }).filter ?? null);
    },
  })
  changed(
    @Root() event: LiveEvent,
    @Arg('filter', () => ChangeFilter, { nullable: true, description: 'Which changes (as for `changes`): every condition given must hold.' }) _filter: ChangeFilter | null,
  ): Change {
    return event.change;
  }
}

@Resolver(() => Change)
export class ChangeResolver {
  @FieldResolver(() => Node, {
    nullable: true,
    description: 'The Node as it is now (loaded when asked for, as `node(id:)` would answer it); null once it is gone (always for DELETED).',
  })
  node(@Root() c: Change, @Ctx() ctx: Context): Promise<Node | null> | Node | null {
    if (c.loaded !== undefined) return c.loaded;
    return loadNode(NODE_TYPES, ctx.loaders, c.type, c.entityId);
  }
}
