import type { Viewer } from '../../common/auth';
import { EntityPolicy, SEEN_BY_ALL } from '../../common/policy';
import { associationLabel, seesPersonName } from '../intellectual/intellectual.policy';
import { GoverningBodyKind } from './governance.enums';

/**
 * Governance records (congresses, delegates, resolutions, terms, bodies, seats) are public: every
 * caller sees every row. What stays protected is the people on them: `holder` / `person` load
 * through the intellectual loader (IntellectualPolicy), and the names shown in their place follow
 * seesPersonName (shownPersonName). Written by ADMIN.
 */
export const GovernancePolicy: EntityPolicy<object> = {
  visible: SEEN_BY_ALL,
  canWrite: (viewer) => viewer.role === 'ADMIN',
};

/** Bodies in words, for the names shown in place of people without a public profile. */
export const BODY_IN_WORDS: Record<GoverningBodyKind, string> = {
  [GoverningBodyKind.EXECUTIVE_COMMITTEE]: 'the Executive Committee',
  [GoverningBodyKind.STANDING_COMMITTEE]: 'the Standing Committee',
  [GoverningBodyKind.STANDING_BOARD]: 'the Standing Board',
  [GoverningBodyKind.INSPECTION_COMMITTEE]: 'the Inspection Committee',
};

/**
 * The name shown for a seat holder or a delegate: the full name when seesPersonName allows it;
 * else "Representative of <association short name, else name>" when they represent one; else
 * null, for the caller's own stand-in ("Member of the Executive Committee", "Delegate to the congress").
 */
export function shownPersonName(
  viewer: Viewer,
  person: { fullName: string; publicProfile: boolean } | null,
  association: { shortName?: string | null; name: string } | null,
): string | null {
  if (person && seesPersonName(viewer, person.publicProfile)) return person.fullName;
  return association ? `Representative of ${associationLabel(association)}` : null;
}
