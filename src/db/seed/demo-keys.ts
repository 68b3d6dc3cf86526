import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Association } from '../../modules/association/association.entity';
import { ApiKeyService } from '../../modules/key/api-key.service';

/**
 * Keys to try the hub with: one ADMIN, one ANALYST and one per demo association. Made only on
 * the first start of an empty embedded database, never with DATABASE_URL or in production
 * (the caller checks); printed once and written to `<dataDir>/demo-keys.txt` (mode 0600).
 */
export async function createDemoKeys(em: EntityManager, dataDir: string): Promise<string> {
  const service = new ApiKeyService(em);
  const lines: string[] = ['# Demo API keys of this hub (send as "Authorization: Bearer <key>"). Shown once; keep this file private.'];
  const admin = await service.create({ role: 'ADMIN', label: 'demo admin' });
  lines.push(`ADMIN\t-\t${admin.key}`);
  const analyst = await service.create({ role: 'ANALYST', label: 'demo analyst' });
  lines.push(`ANALYST\t-\t${analyst.key}`);
  const associations = await em.find(Association, { demo: true }, { orderBy: { code: 'asc' } });
  for (const a of associations) {
    const k = await service.create({ role: 'ASSOCIATION', label: `demo ${a.code}`, associationCode: a.code });
    lines.push(`ASSOCIATION\t${a.code}\t${k.key}`);
  }
  const text = `${lines.join('\n')}\n`;
  const file = path.join(dataDir, 'demo-keys.txt');
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return text;
}
