import { EntityPolicy } from '../../common/policy';
import { currentMemberOf } from '../intellectual/intellectual.policy';
import { AuditEvent } from './audit-event.entity';

/**
 * The audit log. ADMIN reads all of it. An ASSOCIATION key reads the events that concern its
 * association: those filed under it (its own writes, and ADMIN's into it), and those about its
 * memberships and its current members, whoever wrote them (so a person shared with another
 * association shows that association's changes too). Nobody else reads it, and nobody writes it
 * but the write pipeline.
 */
export const AuditEventPolicy: EntityPolicy<AuditEvent> = {
  visible(viewer, q, alias) {
    if (viewer.role === 'ADMIN') return q;
    if (viewer.role !== 'ASSOCIATION') return q.whereRaw('false');
    const own = viewer.associationId;
    return q.where((w) =>
      w
        .whereRaw(`${alias}.association_code = (select code from association where id = ?)`, [own])
        .orWhereRaw(`${alias}.entity_type = 'Membership' and exists (select 1 from membership am where am.id = ${alias}.entity_id and am.association_id = ?)`, [own])
        .orWhere((about) => about.where(`${alias}.entity_type`, 'Intellectual').whereRaw(...currentMemberOf(`${alias}.entity_id`, own))),
    );
  },
  canWrite: () => false,
};
