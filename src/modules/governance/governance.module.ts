import { defineModule } from '../../common/module';
import { AssociationFederationPeriod, Congress, CongressDelegate, CongressResolution, GoverningBody, Seat, Term } from './governance.entity';
import { AssociationFederationHistoryResolver, FederationFormerAssociationsResolver, FederationPeriodResolver, GovernanceMergeResolver } from './governance-merge.resolver';
import { governanceMergeLoaders } from './governance-merge.loaders';
import { seedGovernanceDemo } from './governance.demo';

/** Governance: congresses, terms, governing bodies and their seats; federations that merge. */
export const governanceModule = defineModule({
  name: 'governance',
  entities: [Congress, CongressDelegate, CongressResolution, Term, GoverningBody, Seat, AssociationFederationPeriod],
  resolvers: [
    // Mergers and federation history (governance-merge.resolver.ts).
    GovernanceMergeResolver,
    AssociationFederationHistoryResolver,
    FederationPeriodResolver,
    FederationFormerAssociationsResolver,
  ],
  loaders: ({ em, viewer }) => ({ ...governanceMergeLoaders(em, viewer) }),
  audit: {
    entityTypes: {
      Term: 'A term of a federation (`Term`), with its four governing bodies.',
      Seat: 'A seat on a governing body (`Seat`).',
    },
    actions: {
      FEDERATION_MERGED: 'Recorded that a federation merged into its successor (mergeFederation): status, successor, date, decision and the associations moved (each also has an UPDATE of its federation).',
      SEAT_ENDED: 'Ended a seat (endSeat, or mergeFederation for the seats open on the merger date): endsOn and endReason.',
    },
  },
  // After the forum's seed: the Sóc Trăng union's congresses, terms and seats, then its merger into Cần Thơ.
  demoSeed: async (em) => void (await seedGovernanceDemo(em)),
});
