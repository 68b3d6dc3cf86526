import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { byIdLoader } from '../../common/loaders';
import { AuditEvent } from './audit-event.entity';
import { AuditEventPolicy } from './audit.policy';

/** Audit events by id, for node(id), as AuditEventPolicy allows. */
export function auditLoaders(em: EntityManager, viewer: Viewer) {
  return { auditEventById: byIdLoader(em, AuditEvent, viewer, AuditEventPolicy) };
}
