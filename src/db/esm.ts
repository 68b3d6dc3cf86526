/**
 * A real dynamic import() that TypeScript's CommonJS output cannot rewrite into require():
 * the PostgreSQL binaries package is ESM-only.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
export const importEsm = new Function('specifier', 'return import(specifier)') as <T = unknown>(specifier: string) => Promise<T>;
