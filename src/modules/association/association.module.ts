import { defineModule } from '../../common/module';
import { associationSqlRead } from './association.sql-read';
import { Association } from './association.entity';
import { associationLoaders } from './association.loaders';
import { AssociationResolver, FederationAssociationsResolver } from './association.resolver';
import { AssociationWriteResolver } from './association-write.resolver';

/** Member associations (+ Federation.associations), their profiles and statuses. */
export const associationModule = defineModule({
  name: 'association',
  entities: [Association],
  resolvers: [AssociationResolver, FederationAssociationsResolver, AssociationWriteResolver],
  loaders: ({ em, viewer }) => associationLoaders(em, viewer),
  sqlRead: associationSqlRead,
  nodeTypes: [{ type: Association, loader: 'associationById' }],
  changeScopes: { Association: { table: 'association', association: 't.id' } },
  audit: {
    entityTypes: { Association: 'A member association (`Association`).' },
    actions: { STATUS: "Changed an association's status (setAssociationStatus), with the reason given." },
  },
});
