import { EntityPolicy } from '../../common/policy';
import { AuditEvent } from './audit-event.entity';

/** The audit log is ADMIN's alone; nobody writes it but the write pipeline. */
export const AuditEventPolicy: EntityPolicy<AuditEvent> = {
  visible: (viewer, q) => (viewer.role === 'ADMIN' ? q : q.whereRaw('false')),
  canWrite: () => false,
};
