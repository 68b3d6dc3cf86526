import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Federation } from '../federation/federation.entity';
import { Association } from './association.entity';
import { AssociationsArgs } from './association.inputs';
import { AssociationService } from './association.service';
import { AssociationConnection } from './association.types';

@Resolver(() => Association)
export class AssociationResolver {
  @Query(() => Association, { nullable: true, description: 'One association by its code; null when none has it.' })
  association(
    @Arg('code', () => String, { description: 'The association code, e.g. "ST-YHOC".' }) code: string,
    @Ctx() ctx: Context,
  ): Promise<Association | null> {
    return new AssociationService(ctx.em, ctx.viewer).byCode(code);
  }

  @Query(() => AssociationConnection, { description: 'Member associations across the hub, filtered and paged.' })
  async associations(@Args(() => AssociationsArgs) args: AssociationsArgs, @Ctx() ctx: Context) {
    const { page, count } = await new AssociationService(ctx.em, ctx.viewer).list(args);
    return AssociationConnection.build(page, count);
  }

  @FieldResolver(() => Federation, { description: 'The federation the association belongs to.' })
  async federation(@Root() a: Association, @Ctx() ctx: Context): Promise<Federation> {
    const f = await ctx.loaders.federationById.load(a.federation.id);
    if (!f) throw new Error(`association ${a.id} has no federation ${a.federation.id}`);
    return f;
  }
}

/** Federation.associations: lives here, beside the associations it lists. */
@Resolver(() => Federation)
export class FederationAssociationsResolver {
  @FieldResolver(() => AssociationConnection, { description: 'Member associations of this federation, filtered and paged.' })
  async associations(@Root() f: Federation, @Args(() => AssociationsArgs) args: AssociationsArgs, @Ctx() ctx: Context) {
    const key = { first: args.first, after: args.after, orderBy: args.orderBy, filter: args.filter ?? null } as AssociationsArgs;
    const page = await ctx.loaders.associationsOfFederation.load({ parentId: f.id, args: key });
    return AssociationConnection.build(page, () => ctx.loaders.associationCountOfFederation.load({ parentId: f.id, args: args.filter ?? null }));
  }
}
