import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../common/loaders';
import { AuditEvent } from './audit-event.entity';

/** Audit events by id, for node(id); the resolver lets only ADMIN through. */
export function auditLoaders(em: EntityManager) {
  return { auditEventById: byIdLoader(em, AuditEvent) };
}
