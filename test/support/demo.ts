import { seedDemoData } from '../../src/modules';
import { startTestHub, TestHub } from './harness';

/** A test hub on a fresh database holding the demo data (as a first start loads it), and SQL over it. */
export interface DemoHub extends TestHub {
  /** Rows of a query on the demo database. */
  q<T = Record<string, any>>(sql: string, bindings?: unknown[]): Promise<T[]>;
}

export async function startDemoHub(): Promise<DemoHub> {
  const t = await startTestHub();
  await seedDemoData(t.orm.em.fork());
  return Object.assign(t, {
    q: async <T>(sql: string, bindings: unknown[] = []) => (await t.orm.em.getConnection().execute(sql, bindings as never[])) as T[],
  });
}
