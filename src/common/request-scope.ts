import { AsyncLocalStorage } from 'node:async_hooks';

/** What the current request carries through every await: its id and its SQL statement count. */
export interface RequestScope {
  requestId: string;
  sqlStatements: number;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();
