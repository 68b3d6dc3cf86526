import { defineModule } from '../../common/module';
import { StatsSecret } from './stats-secret.entity';
import { statsLoaders } from './stats.loaders';
import { AssociationStatsFieldResolver, AssociationStatsResolver, FederationStatsFieldResolver, FederationStatsResolver } from './stats.resolver';

/** Federation.stats and Association.stats: aggregates, batched across roots, cached per hub, protected for the public (stats.disclosure.ts). */
export const statsModule = defineModule({
  name: 'stats',
  entities: [StatsSecret],
  resolvers: [FederationStatsFieldResolver, AssociationStatsFieldResolver, FederationStatsResolver, AssociationStatsResolver],
  loaders: ({ em, viewer, caches }) => statsLoaders(em, viewer, caches.stats),
});
