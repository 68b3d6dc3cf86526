import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { loadNode } from '../../common/module';
import { Node } from '../../common/node';
import { fromGlobalId } from '../../common/node-id';
import type { Context } from '../../context';
import { NODE_TYPES } from '..';

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description: 'Fetches any object by its global id. Null when the id is unknown, malformed, or names something the caller may not see.',
  })
  async node(@Arg('id', () => ID, { description: 'A global id, as returned in an `id` field.' }) id: string, @Ctx() ctx: Context): Promise<Node | null> {
    const decoded = fromGlobalId(id);
    if (!decoded) return null;
    // Each Node type's module registers how to load it; its loader applies the type's policy.
    return loadNode(NODE_TYPES, ctx.loaders, decoded.type, decoded.id);
  }
}
