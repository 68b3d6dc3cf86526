import type { ServerResponse } from 'node:http';

/**
 * A JSON answer written on Node's own response, with the headers Express's `res.status().json()`
 * gives it (`Content-Type: application/json; charset=utf-8`, `Content-Length`) and in one write:
 * the HTTP edge answers the same whether Express or the GraphQL endpoint's own handler
 * (graphql-http.ts) writes.
 */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(body)));
  res.end(body);
}
