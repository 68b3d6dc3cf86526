import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Association } from '../association/association.entity';
import { PolicyDocumentSection } from '../consultation/policy-document.entity';
import { Forum } from './forum.entity';
import { FORUM_STATS_DESCRIPTIONS as D, ForumAssociationStat, ForumDayStat, ForumSectionStat, ForumStats } from './forum-stats.types';

/** Forum.stats: the root carries the forum; each figure loads when asked for. Forum resolves only where the viewer sees it. */
@Resolver(() => Forum)
export class ForumStatsFieldResolver {
  @FieldResolver(() => ForumStats, { description: D.stats })
  stats(@Root() f: Forum): ForumStats {
    return new ForumStats(f.id);
  }
}

@Resolver(() => ForumStats)
export class ForumStatsResolver {
  @FieldResolver(() => Int, { description: D.posts })
  async posts(@Root() s: ForumStats, @Ctx() ctx: Context): Promise<number> {
    return (await ctx.loaders.forumStatTotals.load(s.forumId)).posts;
  }

  @FieldResolver(() => Int, { description: D.threads })
  async threads(@Root() s: ForumStats, @Ctx() ctx: Context): Promise<number> {
    return (await ctx.loaders.forumStatTotals.load(s.forumId)).threads;
  }

  @FieldResolver(() => Int, { description: D.participants })
  async participants(@Root() s: ForumStats, @Ctx() ctx: Context): Promise<number> {
    return (await ctx.loaders.forumStatTotals.load(s.forumId)).participants;
  }

  @FieldResolver(() => [ForumAssociationStat], { description: D.byAssociation })
  async byAssociation(@Root() s: ForumStats, @Ctx() ctx: Context): Promise<ForumAssociationStat[]> {
    return (await ctx.loaders.forumStatAssociations.load(s.forumId)).map((x) => Object.assign(new ForumAssociationStat(), x));
  }

  @FieldResolver(() => [ForumSectionStat], { description: D.bySection })
  async bySection(@Root() s: ForumStats, @Ctx() ctx: Context): Promise<ForumSectionStat[]> {
    return (await ctx.loaders.forumStatSections.load(s.forumId)).map((x) => Object.assign(new ForumSectionStat(), x));
  }

  @FieldResolver(() => [ForumDayStat], { description: D.byDay })
  async byDay(@Root() s: ForumStats, @Ctx() ctx: Context): Promise<ForumDayStat[]> {
    return (await ctx.loaders.forumStatDays.load(s.forumId)).map((x) => Object.assign(new ForumDayStat(), x));
  }
}

@Resolver(() => ForumAssociationStat)
export class ForumAssociationStatResolver {
  @FieldResolver(() => Association, { nullable: true, description: 'The association whose app wrote the posts; null for the merged row (see merged).' })
  async association(@Root() a: ForumAssociationStat, @Ctx() ctx: Context): Promise<Association | null> {
    return a.associationId === null ? null : ctx.loaders.associationById.load(a.associationId);
  }
}

@Resolver(() => ForumSectionStat)
export class ForumSectionStatResolver {
  @FieldResolver(() => PolicyDocumentSection, {
    nullable: true,
    description: "The section of the forum's document; null for posts on no section (merged 0) and for the merged row (merged > 0).",
  })
  async section(@Root() s: ForumSectionStat, @Ctx() ctx: Context): Promise<PolicyDocumentSection | null> {
    return s.sectionId === null ? null : ctx.loaders.policyDocumentSectionById.load(s.sectionId);
  }
}
