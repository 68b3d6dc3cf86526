import type { Viewer } from '../../common/auth';
import { EntityPolicy, SEEN_BY_ALL } from '../../common/policy';
import { Federation } from './federation.entity';

/** Federations are public records; only ADMIN creates or changes them. */
export const FederationPolicy: EntityPolicy<Federation> = {
  visible: SEEN_BY_ALL,
  canWrite: (viewer: Viewer) => viewer.role === 'ADMIN',
};
