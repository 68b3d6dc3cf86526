import { defineModule } from '../../common/module';
import { statsLoaders } from './stats.loaders';
import { AssociationStatsFieldResolver, AssociationStatsResolver, FederationStatsFieldResolver, FederationStatsResolver } from './stats.resolver';

/** Federation.stats and Association.stats: aggregates, batched across roots, cached per hub. */
export const statsModule = defineModule({
  name: 'stats',
  resolvers: [FederationStatsFieldResolver, AssociationStatsFieldResolver, FederationStatsResolver, AssociationStatsResolver],
  loaders: ({ em, viewer, caches }) => statsLoaders(em, viewer, caches.stats),
});
