import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Node } from '../../common/node';
import { fromGlobalId } from '../../common/node-id';
import type { Context } from '../../context';

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description: 'Fetches any object by its global id. Null when the id is unknown, malformed, or names something the caller may not see.',
  })
  async node(@Arg('id', () => ID, { description: 'A global id, as returned in an `id` field.' }) id: string, @Ctx() ctx: Context): Promise<Node | null> {
    const decoded = fromGlobalId(id);
    if (!decoded) return null;
    const { loaders } = ctx;
    switch (decoded.type) {
      case 'Federation':
        return loaders.federationById.load(decoded.id);
      case 'Association':
        return loaders.associationById.load(decoded.id);
      case 'Intellectual':
        return loaders.intellectualById.load(decoded.id);
      case 'Membership':
        return loaders.membershipById.load(decoded.id);
      case 'AuditEvent':
        // The audit log is ADMIN's alone; for anyone else the id names nothing.
        return ctx.viewer.role === 'ADMIN' ? loaders.auditEventById.load(decoded.id) : null;
      default:
        return null;
    }
  }
}
