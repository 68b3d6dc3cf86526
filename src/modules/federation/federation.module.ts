import { defineModule } from '../../common/module';
import { federationSqlRead } from './federation.sql-read';
import { Federation } from './federation.entity';
import { federationLoaders } from './federation.loaders';
import { FederationResolver } from './federation.resolver';
import { FederationWriteResolver } from './federation-write.resolver';

/** Federations (the national union and the provincial unions), their hierarchy and mergers. */
export const federationModule = defineModule({
  name: 'federation',
  entities: [Federation],
  resolvers: [FederationResolver, FederationWriteResolver],
  loaders: ({ em, viewer }) => federationLoaders(em, viewer),
  sqlRead: federationSqlRead,
  nodeTypes: [{ type: Federation, loader: 'federationById' }],
  changeScopes: { Federation: { table: 'federation', federation: 't.id' } },
  audit: { entityTypes: { Federation: 'A federation (`Federation`).' } },
});
