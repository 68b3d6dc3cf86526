import { defineModule } from '../../common/module';
import { AuditEvent } from './audit-event.entity';
import { auditLoaders } from './audit.loaders';
import { AuditResolver } from './audit.resolver';

/** The audit log: written by the write pipeline (common/mutation.ts), read by ADMIN. */
export const auditModule = defineModule({
  name: 'audit',
  entities: [AuditEvent],
  resolvers: [AuditResolver],
  loaders: ({ em, viewer }) => auditLoaders(em, viewer),
  nodeTypes: [{ type: AuditEvent, loader: 'auditEventById' }],
  // The actions most modules record; a module lists its own besides (END, STATUS, …).
  audit: {
    actions: {
      CREATE: 'Created it (changes hold every field it was given: old null → new).',
      UPDATE: 'Changed some of its fields.',
    },
  },
});
