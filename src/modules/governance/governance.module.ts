import { defineModule } from '../../common/module';
import { AssociationFederationPeriod, Congress, CongressDelegate, CongressResolution, GoverningBody, Seat, Term } from './governance.entity';
import { governanceLoaders } from './governance.loaders';
import {
  CongressDelegateCountResolver,
  CongressDelegateResolver,
  CongressResolutionResolver,
  CongressResolver,
  FederationGovernanceResolver,
  GoverningBodyResolver,
  IntellectualOfficesResolver,
  SeatResolver,
  TermResolver,
} from './governance.resolver';

/** Governance: congresses, terms, governing bodies and their seats; federations that merge. */
export const governanceModule = defineModule({
  name: 'governance',
  entities: [Congress, CongressDelegate, CongressResolution, Term, GoverningBody, Seat, AssociationFederationPeriod],
  resolvers: [
    // Reads (governance.resolver.ts).
    FederationGovernanceResolver,
    CongressResolver,
    CongressDelegateResolver,
    CongressDelegateCountResolver,
    CongressResolutionResolver,
    TermResolver,
    GoverningBodyResolver,
    SeatResolver,
    IntellectualOfficesResolver,
  ],
  loaders: ({ em, viewer }) => ({ ...governanceLoaders(em, viewer) }),
  nodeTypes: [
    { type: Congress, loader: 'congressById' },
    { type: CongressDelegate, loader: 'congressDelegateById' },
    { type: CongressResolution, loader: 'congressResolutionById' },
    { type: Term, loader: 'termById' },
    { type: GoverningBody, loader: 'governingBodyById' },
    { type: Seat, loader: 'seatById' },
  ],
});
