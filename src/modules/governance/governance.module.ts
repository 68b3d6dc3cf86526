import { defineModule } from '../../common/module';
import { GovernanceWriteResolver } from './governance-write.resolver';
import { AssociationFederationPeriod, Congress, CongressDelegate, CongressResolution, GoverningBody, Seat, Term } from './governance.entity';

/** Governance: congresses, terms, governing bodies and their seats; federations that merge. */
export const governanceModule = defineModule({
  name: 'governance',
  entities: [Congress, CongressDelegate, CongressResolution, Term, GoverningBody, Seat, AssociationFederationPeriod],
  resolvers: [
    // Writes (governance-write.resolver.ts).
    GovernanceWriteResolver,
  ],
  audit: {
    entityTypes: {
      Congress: 'A congress of a federation (`Congress`), with its delegates and resolutions.',
      Term: 'A term of a federation (`Term`), with its four governing bodies.',
      Seat: 'A seat on a governing body (`Seat`).',
    },
    actions: {
      DELEGATES_ADDED: 'Added delegates to a congress (addDelegates); changes hold the number of delegates before and after.',
      SEAT_ENDED: 'Ended a seat (endSeat): its last day, the reason and the note.',
    },
  },
});
