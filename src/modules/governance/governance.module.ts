import { defineModule } from '../../common/module';
import { AssociationFederationPeriod, Congress, CongressDelegate, CongressResolution, GoverningBody, Seat, Term } from './governance.entity';

/** Governance: congresses, terms, governing bodies and their seats; federations that merge. */
export const governanceModule = defineModule({
  name: 'governance',
  entities: [Congress, CongressDelegate, CongressResolution, Term, GoverningBody, Seat, AssociationFederationPeriod],
  resolvers: [],
});
