import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Association } from '../association/association.entity';
import { Federation } from '../federation/federation.entity';
import { DisclosureControl, disclosureControlFor } from './stats.disclosure';
import { AssociationStats, FederationStats, StatBucket, STATS_DESCRIPTIONS as D, StatsRoot } from './stats.types';

const loadersOf = (ctx: Context, root: StatsRoot) => ctx.loaders.stats[root.scope];

/** Fields both stats types have; each breakdown loads only when asked for, batched across roots. */
function commonStatsResolver<T extends StatsRoot>(type: new (id: number) => T) {
  @Resolver(() => type)
  abstract class CommonStatsResolver {
    @FieldResolver(() => DisclosureControl, { description: D.disclosureControl })
    disclosureControl(@Ctx() ctx: Context): DisclosureControl {
      return disclosureControlFor(ctx.viewer);
    }

    @FieldResolver(() => Int, { nullable: true, description: D.activeMembers })
    async activeMembers(@Root() s: T, @Ctx() ctx: Context): Promise<number | null> {
      return (await loadersOf(ctx, s).totals.load(s.id)).activeMembers.count;
    }

    @FieldResolver(() => Boolean, { description: D.activeMembersSuppressed })
    async activeMembersSuppressed(@Root() s: T, @Ctx() ctx: Context): Promise<boolean> {
      return (await loadersOf(ctx, s).totals.load(s.id)).activeMembers.suppressed;
    }

    @FieldResolver(() => Int, { nullable: true, description: D.distinctPeople })
    async distinctPeople(@Root() s: T, @Ctx() ctx: Context): Promise<number | null> {
      return (await loadersOf(ctx, s).totals.load(s.id)).distinctPeople.count;
    }

    @FieldResolver(() => Boolean, { description: D.distinctPeopleSuppressed })
    async distinctPeopleSuppressed(@Root() s: T, @Ctx() ctx: Context): Promise<boolean> {
      return (await loadersOf(ctx, s).totals.load(s.id)).distinctPeople.suppressed;
    }

    @FieldResolver(() => [StatBucket], { description: D.peopleByField })
    peopleByField(@Root() s: T, @Ctx() ctx: Context): Promise<StatBucket[]> {
      return loadersOf(ctx, s).peopleByField.load(s.id);
    }

    @FieldResolver(() => [StatBucket], { description: D.peopleByDegree })
    async peopleByDegree(@Root() s: T, @Ctx() ctx: Context): Promise<StatBucket[]> {
      return (await loadersOf(ctx, s).people.load(s.id)).degree;
    }

    @FieldResolver(() => [StatBucket], { description: D.peopleByAcademicTitle })
    async peopleByAcademicTitle(@Root() s: T, @Ctx() ctx: Context): Promise<StatBucket[]> {
      return (await loadersOf(ctx, s).people.load(s.id)).title;
    }

    @FieldResolver(() => [StatBucket], { description: D.peopleByGender })
    async peopleByGender(@Root() s: T, @Ctx() ctx: Context): Promise<StatBucket[]> {
      return (await loadersOf(ctx, s).people.load(s.id)).gender;
    }

    @FieldResolver(() => [StatBucket], { description: D.peopleByBirthDecade })
    async peopleByBirthDecade(@Root() s: T, @Ctx() ctx: Context): Promise<StatBucket[]> {
      return (await loadersOf(ctx, s).people.load(s.id)).decade;
    }

    @FieldResolver(() => [StatBucket], { description: D.newMembershipsByYear })
    newMembershipsByYear(@Root() s: T, @Ctx() ctx: Context): Promise<StatBucket[]> {
      return loadersOf(ctx, s).newMembershipsByYear.load(s.id);
    }
  }
  return CommonStatsResolver;
}

@Resolver(() => FederationStats)
export class FederationStatsResolver extends commonStatsResolver(FederationStats) {
  @FieldResolver(() => Int, { description: D.associationCount })
  async associationCount(@Root() s: FederationStats, @Ctx() ctx: Context): Promise<number> {
    return (await loadersOf(ctx, s).totals.load(s.id)).associationCount;
  }

  @FieldResolver(() => [StatBucket], { description: D.peopleByAssociation })
  peopleByAssociation(@Root() s: FederationStats, @Ctx() ctx: Context): Promise<StatBucket[]> {
    return loadersOf(ctx, s).peopleByAssociation.load(s.id);
  }

  @FieldResolver(() => [StatBucket], { description: D.associationsByField })
  associationsByField(@Root() s: FederationStats, @Ctx() ctx: Context): Promise<StatBucket[]> {
    return loadersOf(ctx, s).associationsByField.load(s.id);
  }
}

@Resolver(() => AssociationStats)
export class AssociationStatsResolver extends commonStatsResolver(AssociationStats) {}

/** Federation.stats and Association.stats: public aggregates, from the stats module. */
@Resolver(() => Federation)
export class FederationStatsFieldResolver {
  @FieldResolver(() => FederationStats, { description: 'Statistics of this federation, its member federations and their associations.' })
  stats(@Root() f: Federation): FederationStats {
    return new FederationStats(f.id);
  }
}

@Resolver(() => Association)
export class AssociationStatsFieldResolver {
  @FieldResolver(() => AssociationStats, { description: 'Statistics of this association.' })
  stats(@Root() a: Association): AssociationStats {
    return new AssociationStats(a.id);
  }
}
