import crypto from 'node:crypto';
import { registerEnumType } from 'type-graphql';
import type { Viewer } from '../../common/auth';

/**
 * Statistical disclosure control of the statistics that anonymous callers and association keys
 * read: small-cell suppression combined with fixed random rounding to base 5 (the "fixed random
 * rounding" of Statistics New Zealand; the random number of a cell is fixed as in the "cell key"
 * method of the Australian Bureau of Statistics).
 *
 * Each published count N becomes 5·⌊N/5⌋, plus 5 when the cell's random number u ∈ [0, 1) is
 * below (N mod 5)/5: unbiased (on average the true value), and every figure is a multiple of 5,
 * so sums and differences of figures (across breakdowns, levels of the hierarchy and time) are
 * multiples of 5 too and never give back a group of 1 to 4. A cell that rounds to 0 is
 * suppressed (published as null). u comes from an HMAC of the hub's secret and the cell's
 * identity (which people it counts, which measure, which group), never from its content: asking
 * again, later, or after padding the cell with dummy members draws no new number, so repeated
 * answers cannot be averaged, and padding one person at a time shows one step per 5 people, at
 * a place that depends on the secret.
 */
export enum DisclosureControl {
  NONE = 'NONE',
  ROUNDED_BASE_5_SUPPRESSED_UNDER_5 = 'ROUNDED_BASE_5_SUPPRESSED_UNDER_5',
}
registerEnumType(DisclosureControl, {
  name: 'DisclosureControl',
  description: 'How the figures of a statistics answer were protected before publication.',
  valuesConfig: {
    NONE: { description: 'Exact counts (ANALYST and ADMIN keys); every group is shown with its true count.' },
    ROUNDED_BASE_5_SUPPRESSED_UNDER_5: {
      description:
        'Anonymous callers and association keys: each count of people or memberships is rounded to a multiple of 5 by fixed random rounding (unbiased: a count of 7 shows as 5 or 10, always the same one), and a count that rounds to 0 is suppressed (`count: null`, `suppressed: true`). A shown 5 means 1 to 9; a suppressed group holds 0 to 4.',
    },
  },
});

/** Rounding base; also the smallest figure shown. */
export const ROUNDING_BASE = 5;

/** Callers who get protected figures: anonymous callers, and association keys (which read as the public does beyond their own members). */
export const protectsFigures = (viewer: Viewer): boolean => viewer.role === 'PUBLIC' || viewer.role === 'ASSOCIATION';

export const disclosureControlFor = (viewer: Viewer): DisclosureControl =>
  protectsFigures(viewer) ? DisclosureControl.ROUNDED_BASE_5_SUPPRESSED_UNDER_5 : DisclosureControl.NONE;

/** A published count: the figure, or null with `suppressed` when it rounds to 0. */
export interface Figure {
  count: number | null;
  suppressed: boolean;
}

export const exactFigure = (n: number): Figure => ({ count: n, suppressed: false });

/** Fixed random rounding to base 5 of a true count n ≥ 0, given the cell's random number u ∈ [0, 1). */
export function roundFixedRandom(n: number, u: number): number {
  const low = ROUNDING_BASE * Math.floor(n / ROUNDING_BASE);
  return u < (n - low) / ROUNDING_BASE ? low + ROUNDING_BASE : low;
}

/** The published figure of a true count n: rounded, and suppressed when it rounds to 0 (which a true 0 always does). */
export function publishCount(n: number, u: number): Figure {
  const rounded = roundFixedRandom(n, u);
  return rounded < ROUNDING_BASE ? { count: null, suppressed: true } : { count: rounded, suppressed: false };
}

/**
 * Which people a cell describes, independently of where it is shown: the set of associations
 * whose active members (or memberships) it counts. An association's own stats, its line in
 * `peopleByAssociation` at every level above it, and a federation whose associations are exactly
 * those of one member federation, count the same people: they get the same identity, so the
 * same random number, so the same figure (independent numbers would give a second draw of the
 * same count, and draws can be combined).
 */
export function scopeDigest(associationIds: readonly number[]): string {
  const ids = [...new Set(associationIds)].sort((a, b) => a - b);
  return crypto.createHash('sha256').update(ids.join(',')).digest('hex');
}

/**
 * The measures a cell can count. `people` is the distinct people of the scope (distinctPeople,
 * and an association's line in peopleByAssociation); `activeMembers` shares its random number:
 * it counts the same people (each once per membership), and is usually equal.
 */
export type Measure = 'people' | 'degree' | 'title' | 'gender' | 'birthDecade' | 'field' | 'joinedYear';

/** The cell's random number: HMAC-SHA256(secret, identity), its first 48 bits as a fraction of 2^48. */
export function cellRandom(secret: Buffer, digest: string, measure: Measure, key: string): number {
  const mac = crypto.createHmac('sha256', secret).update(`${digest}\n${measure}\n${key}`).digest();
  return mac.readUIntBE(0, 6) / 2 ** 48;
}

/** Publishes the cells of one scope (a set of associations) under one secret. */
export class ScopePublisher {
  constructor(
    private readonly secret: Buffer,
    readonly digest = scopeDigest([]),
  ) {}

  /** The publisher of the cells that count the people of these associations. */
  forAssociations(associationIds: readonly number[]): ScopePublisher {
    return new ScopePublisher(this.secret, scopeDigest(associationIds));
  }

  figure(measure: Measure, key: string, n: number): Figure {
    return publishCount(n, cellRandom(this.secret, this.digest, measure, key));
  }
}

/** The secret of the random numbers: STATS_SECRET when configured, else the database's own (table stats_secret). */
export function secretBytes(configured: string | null, stored: string | null): Buffer {
  const secret = configured ?? stored;
  if (!secret) throw new Error('No statistics secret: STATS_SECRET is unset and table stats_secret is empty (run the migrations)');
  return Buffer.from(secret, 'utf8');
}
