import { Args, Ctx, FieldResolver, Float, Int, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Association } from '../association/association.entity';
import { Federation } from '../federation/federation.entity';
import { ConsultationKind, ConsultationOrigin, ConsultationStatus, RecommendationOutcome } from './consultation.enums';
import {
  AssociationOpinionCount,
  CONSULTATION_STATS_DESCRIPTIONS as D,
  ConsultationKindCount,
  ConsultationOriginCount,
  ConsultationStats,
  ConsultationStatsArgs,
  ConsultationStatusCount,
  ConsultationYearCount,
  RecommendationOutcomeCount,
} from './consultation-stats.types';

const key = (s: ConsultationStats) => ({ parentId: s.federationId, args: s.year });

/** Every value of an enum, in declaration order, with its count (0 when absent). */
function everyValue<E extends string, T>(values: readonly E[], counts: ReadonlyMap<E, number>, make: (value: E, count: number) => T): T[] {
  return values.map((v) => make(v, counts.get(v) ?? 0));
}

/** Federation.consultationStats: the root carries the federation and the year; each figure loads when asked for. */
@Resolver(() => Federation)
export class FederationConsultationStatsResolver {
  @FieldResolver(() => ConsultationStats, {
    description: "Figures on this federation's consultation, social critique and social assessment requests that the caller may see (see ConsultationStats).",
  })
  consultationStats(@Root() f: Federation, @Args(() => ConsultationStatsArgs) args: ConsultationStatsArgs): ConsultationStats {
    return new ConsultationStats(f.id, args.year ?? null);
  }
}

@Resolver(() => ConsultationStats)
export class ConsultationStatsResolver {
  @FieldResolver(() => Int, { description: D.total })
  async total(@Root() s: ConsultationStats, @Ctx() ctx: Context): Promise<number> {
    return (await ctx.loaders.consultationCounts.load(key(s))).total;
  }

  @FieldResolver(() => [ConsultationKindCount], { description: D.byKind })
  async byKind(@Root() s: ConsultationStats, @Ctx() ctx: Context): Promise<ConsultationKindCount[]> {
    const c = await ctx.loaders.consultationCounts.load(key(s));
    return everyValue(Object.values(ConsultationKind), c.kind, (k, count) => Object.assign(new ConsultationKindCount(), { key: k, count }));
  }

  @FieldResolver(() => [ConsultationStatusCount], { description: D.byStatus })
  async byStatus(@Root() s: ConsultationStats, @Ctx() ctx: Context): Promise<ConsultationStatusCount[]> {
    const c = await ctx.loaders.consultationCounts.load(key(s));
    return everyValue(Object.values(ConsultationStatus), c.status, (k, count) => Object.assign(new ConsultationStatusCount(), { key: k, count }));
  }

  @FieldResolver(() => [ConsultationOriginCount], { description: D.byOrigin })
  async byOrigin(@Root() s: ConsultationStats, @Ctx() ctx: Context): Promise<ConsultationOriginCount[]> {
    const c = await ctx.loaders.consultationCounts.load(key(s));
    return everyValue(Object.values(ConsultationOrigin), c.origin, (k, count) => Object.assign(new ConsultationOriginCount(), { key: k, count }));
  }

  @FieldResolver(() => [ConsultationYearCount], { description: D.byYear })
  async byYear(@Root() s: ConsultationStats, @Ctx() ctx: Context): Promise<ConsultationYearCount[]> {
    const c = await ctx.loaders.consultationCounts.load(key(s));
    return c.year.map(([year, count]) => Object.assign(new ConsultationYearCount(), { year, count }));
  }

  @FieldResolver(() => Float, { nullable: true, description: D.medianDaysToReport })
  async medianDaysToReport(@Root() s: ConsultationStats, @Ctx() ctx: Context): Promise<number | null> {
    return (await ctx.loaders.consultationReportTiming.load(key(s))).medianDays;
  }

  @FieldResolver(() => Float, { nullable: true, description: D.onTimeRate })
  async onTimeRate(@Root() s: ConsultationStats, @Ctx() ctx: Context): Promise<number | null> {
    return (await ctx.loaders.consultationReportTiming.load(key(s))).onTimeRate;
  }

  @FieldResolver(() => [AssociationOpinionCount], { description: D.opinionsPerAssociation })
  async opinionsPerAssociation(@Root() s: ConsultationStats, @Ctx() ctx: Context): Promise<AssociationOpinionCount[]> {
    const list = await ctx.loaders.consultationOpinionsPerAssociation.load(key(s));
    return list.map((x) => Object.assign(new AssociationOpinionCount(), x));
  }

  @FieldResolver(() => [RecommendationOutcomeCount], { description: D.outcomes })
  async outcomes(@Root() s: ConsultationStats, @Ctx() ctx: Context): Promise<RecommendationOutcomeCount[]> {
    const c = await ctx.loaders.consultationOutcomes.load(key(s));
    return everyValue(Object.values(RecommendationOutcome), c, (outcome, count) => Object.assign(new RecommendationOutcomeCount(), { outcome, count }));
  }
}

@Resolver(() => AssociationOpinionCount)
export class AssociationOpinionCountResolver {
  @FieldResolver(() => Association, { description: 'The association that gave or submitted the opinions.' })
  async association(@Root() c: AssociationOpinionCount, @Ctx() ctx: Context): Promise<Association> {
    const a = await ctx.loaders.associationById.load(c.associationId);
    // Associations are public records: a hidden one would be a broken reference.
    if (!a) throw new Error(`association ${c.associationId} of an opinion count not found`);
    return a;
  }
}
