import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { AssociationFigures, DayFigures, ForumStatsService, ForumTotals, NO_TOTALS, SectionFigures } from './forum-stats.service';

/** One figure per forum id: one statement per batch; a forum without rows (or not seen) gets `fallback()`. */
function perForum<T>(fetch: (ids: readonly number[]) => Promise<Map<number, T>>, fallback: () => T): DataLoader<number, T> {
  return new DataLoader<number, T>(async (ids) => {
    const byForum = await fetch(ids);
    return ids.map((id) => byForum.get(id) ?? fallback());
  });
}

/**
 * Forum.stats: one loader per kind of figure, keyed by forum, so every forum of a request is
 * answered by one statement per kind asked for. Not cached across requests: the figures depend on
 * who asks (the public's are merged, hidden stances are ADMIN's) and a new post must show at once.
 */
export function forumStatsLoaders(em: EntityManager, viewer: Viewer) {
  const service = new ForumStatsService(em, viewer);
  return {
    forumStatTotals: perForum<ForumTotals>((ids) => service.totals(ids), NO_TOTALS),
    forumStatAssociations: perForum<AssociationFigures[]>((ids) => service.byAssociation(ids), () => []),
    forumStatSections: perForum<SectionFigures[]>((ids) => service.bySection(ids), () => []),
    forumStatDays: perForum<DayFigures[]>((ids) => service.byDay(ids), () => []),
  };
}
