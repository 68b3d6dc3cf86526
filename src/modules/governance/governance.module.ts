import { defineModule } from '../../common/module';
import { GovernanceWriteResolver } from './governance-write.resolver';
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
import { AssociationFederationHistoryResolver, FederationFormerAssociationsResolver, FederationPeriodResolver, GovernanceMergeResolver } from './governance-merge.resolver';
import { governanceMergeLoaders } from './governance-merge.loaders';
import { seedGovernanceDemo } from './governance.demo';

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
    // Writes (governance-write.resolver.ts).
    GovernanceWriteResolver,
    // Mergers and federation history (governance-merge.resolver.ts).
    GovernanceMergeResolver,
    AssociationFederationHistoryResolver,
    FederationPeriodResolver,
    FederationFormerAssociationsResolver,
  ],
  loaders: ({ em, viewer }) => ({ ...governanceLoaders(em, viewer), ...governanceMergeLoaders(em, viewer) }),
  nodeTypes: [
    { type: Congress, loader: 'congressById' },
    { type: CongressDelegate, loader: 'congressDelegateById' },
    { type: CongressResolution, loader: 'congressResolutionById' },
    { type: Term, loader: 'termById' },
    { type: GoverningBody, loader: 'governingBodyById' },
    { type: Seat, loader: 'seatById' },
  ],
  changeScopes: {
    Congress: { table: 'congress', federation: 't.federation_id' },
    Term: { table: 'term', federation: 't.federation_id' },
    Seat: { table: 'seat', association: 't.association_id', federation: 't.federation_id' },
  },
  audit: {
    entityTypes: {
      Congress: 'A congress of a federation (`Congress`), with its delegates and resolutions.',
      Term: 'A term of a federation (`Term`), with its four governing bodies.',
      Seat: 'A seat on a governing body (`Seat`).',
    },
    actions: {
      DELEGATES_ADDED: 'Added delegates to a congress (addDelegates); changes hold the number of delegates before and after.',
      SEAT_ENDED: 'Ended a seat (endSeat, or mergeFederation for the seats open on the merger date): its last day, the reason and the note.',
      FEDERATION_MERGED: 'Recorded that a federation merged into its successor (mergeFederation): status, successor, date, decision and the associations moved (each also has an UPDATE of its federation).',
    },
  },
  // After the forum's seed: the Sóc Trăng union's congresses, terms and seats, then its merger into Cần Thơ.
  demoSeed: async (em) => void (await seedGovernanceDemo(em)),
});
