import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Federation } from './federation.entity';
import { FederationsArgs, MemberFederationsArgs } from './federation.inputs';
import { FederationService } from './federation.service';
import { FederationConnection } from './federation.types';

@Resolver(() => Federation)
export class FederationResolver {
  @Query(() => Federation, { nullable: true, description: 'One federation by its code; null when none has it.' })
  async federation(
    @Arg('code', () => String, { description: 'The federation code, e.g. "SOCTRANG".' }) code: string,
    @Ctx() ctx: Context,
  ): Promise<Federation | null> {
    return new FederationService(ctx.em, ctx.viewer).byCode(code);
  }

  @Query(() => FederationConnection, { description: 'Federations (the national union and provincial unions), filtered and paged.' })
  async federations(@Args(() => FederationsArgs) args: FederationsArgs, @Ctx() ctx: Context) {
    const { page, count } = await new FederationService(ctx.em, ctx.viewer).list(args);
    return FederationConnection.build(page, count);
  }

  @FieldResolver(() => Federation, { nullable: true, description: 'The federation this one belongs to (e.g. VUSTA for a provincial union); null at the top.' })
  parent(@Root() f: Federation, @Ctx() ctx: Context): Promise<Federation | null> | null {
    return f.parent ? ctx.loaders.federationById.load(f.parent.id) : null;
  }

  @FieldResolver(() => Federation, { nullable: true, description: 'The federation this one was merged into; null unless status is MERGED.' })
  successor(@Root() f: Federation, @Ctx() ctx: Context): Promise<Federation | null> | null {
    return f.successor ? ctx.loaders.federationById.load(f.successor.id) : null;
  }

  @FieldResolver(() => FederationConnection, { description: 'Member federations (e.g. the provincial unions of the national union).' })
  async members(@Root() f: Federation, @Args(() => MemberFederationsArgs) args: MemberFederationsArgs, @Ctx() ctx: Context) {
    const page = await ctx.loaders.memberFederations.load({ parentId: f.id, args: { first: args.first, after: args.after, orderBy: args.orderBy } });
    return FederationConnection.build(page, () => ctx.loaders.memberFederationCount.load({ parentId: f.id, args: null }));
  }
}
