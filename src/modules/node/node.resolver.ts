import type DataLoader from 'dataloader';
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
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
    const entry = NODE_TYPES.get(decoded.type);
    if (!entry) return null;
    const loader = (ctx.loaders as unknown as Record<string, DataLoader<number, Node | null>>)[entry.loader];
    return loader.load(decoded.id);
  }
}
