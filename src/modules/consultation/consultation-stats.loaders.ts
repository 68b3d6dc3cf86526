import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { groupedLoader } from '../../common/loaders';
import { ConsultationStatsService, EMPTY_COUNTS, NO_TIMING, RequestCounts, ReportTiming } from './consultation-stats.service';
import { RecommendationOutcome } from './consultation.enums';

/**
 * Federation.consultationStats: one loader per kind of figure, keyed by federation and year, so
 * every federation of a request with the same year is answered by one statement per kind.
 * Not cached across requests: the figures depend on who asks (an association sees the requests it
 * is involved in), a new request or move must show at once, and each is one indexed aggregate.
 */
export function consultationStatsLoaders(em: EntityManager, viewer: Viewer) {
  const service = new ConsultationStatsService(em, viewer);
  return {
    consultationCounts: groupedLoader<number | null, RequestCounts>((ids, year) => service.counts(ids, year), EMPTY_COUNTS()),
    consultationReportTiming: groupedLoader<number | null, ReportTiming>((ids, year) => service.reportTiming(ids, year), NO_TIMING),
    consultationOpinionsPerAssociation: groupedLoader<number | null, { associationId: number; count: number }[]>((ids, year) => service.opinionsPerAssociation(ids, year), []),
    consultationOutcomes: groupedLoader<number | null, Map<RecommendationOutcome, number>>((ids, year) => service.outcomes(ids, year), new Map()),
  };
}
