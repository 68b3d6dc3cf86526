import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Association } from '../association/association.entity';
import { AssociationsArgs } from '../association/association.inputs';
import { AssociationConnection } from '../association/association.types';
import { Federation } from '../federation/federation.entity';
import { MergeFederationInput } from './governance-merge.inputs';
import { GovernanceMergeService } from './governance-merge.service';
import { FederationPeriod, MergeFederationPayload } from './governance-merge.types';

@Resolver()
export class GovernanceMergeResolver {
  @Mutation(() => MergeFederationPayload, {
    description:
      'Records that a federation merged into another (ADMIN only): it becomes MERGED with its successor, date and decision; its associations move to the successor, ' +
      'each keeping the old period in federationHistory; its term held on the day before the merger ends that day, and its seats open then end with it (FEDERATION_MERGED). ' +
      'Reads by its code keep working: its congresses, terms and offices stay under it. userErrors: NOT_FOUND (a code), INVALID (merging into itself), ' +
      'INVALID_TRANSITION (a federation not ACTIVE), INVALID_DATE / FUTURE_DATE (on), REQUIRED (decision number and date).',
  })
  mergeFederation(@Arg('input', () => MergeFederationInput, { description: 'The federation, its successor, the date and the decision.' }) input: MergeFederationInput, @Ctx() ctx: Context) {
    return new GovernanceMergeService(ctx.em, ctx.viewer).merge(input);
  }
}

@Resolver(() => Association)
export class AssociationFederationHistoryResolver {
  @FieldResolver(() => [FederationPeriod], {
    description:
      'The federations the association has belonged to, oldest first, the current one last (to: null). A merger (mergeFederation) closes a period and opens the next one under the successor.',
  })
  async federationHistory(@Root() a: Association, @Ctx() ctx: Context): Promise<FederationPeriod[]> {
    const closed = await ctx.loaders.closedFederationPeriods.load(a.id);
    const current = { federationId: a.federation.id, from: closed.length ? closed[closed.length - 1]!.to : (a.joinedOn ?? null), to: null };
    return [...closed, current].map((x) => Object.assign(new FederationPeriod(), x));
  }
}

@Resolver(() => FederationPeriod)
export class FederationPeriodResolver {
  @FieldResolver(() => Federation, { description: 'The federation.' })
  async federation(@Root() period: FederationPeriod, @Ctx() ctx: Context): Promise<Federation> {
    const f = await ctx.loaders.federationById.load(period.federationId);
    if (!f) throw new Error(`federation period names a missing federation ${period.federationId}`);
    return f;
  }
}

@Resolver(() => Federation)
export class FederationFormerAssociationsResolver {
  @FieldResolver(() => AssociationConnection, {
    description:
      'Associations that belonged to this federation and no longer do, filtered and paged like `associations` (which lists current members only, so it is empty for a MERGED federation: its associations are all here). ' +
      'Each one’s federationHistory tells when it left and where it went.',
  })
  async formerAssociations(@Root() f: Federation, @Args(() => AssociationsArgs) args: AssociationsArgs, @Ctx() ctx: Context) {
    const key = { first: args.first, after: args.after, orderBy: args.orderBy, filter: args.filter ?? null } as AssociationsArgs;
    const page = await ctx.loaders.formerAssociationsOfFederation.load({ parentId: f.id, args: key });
    return AssociationConnection.build(page, () => ctx.loaders.formerAssociationCountOfFederation.load({ parentId: f.id, args: args.filter ?? null }));
  }
}
