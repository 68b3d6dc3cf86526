import express, { type RequestHandler, type Response } from 'express';

/**
 * Pages and files the hub serves to browsers (the explorer, the statistics page): everything from
 * the hub's own origin, nothing from a CDN, so they work on an intranet without internet.
 */

/** A Content-Security-Policy that lets a page load and call nothing but the hub's own origin. */
export function selfOnlyCsp(extra: { styleInline?: boolean; workersFromBlob?: boolean } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self'`,
    `style-src 'self'${extra.styleInline ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    `worker-src 'self'${extra.workersFromBlob ? ' blob:' : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers of a page the hub serves: its CSP, no sniffing, no framing, not cached (it names versioned files). */
export function setPageHeaders(res: Response, csp: string): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
}

/**
 * Static files of one directory (express.static: no directory listing, no path outside `root`),
 * cached by browsers for `maxAgeSeconds` (files whose names change with their content can take a
 * year), with the same CSP as the pages.
 */
export function staticFiles(root: string, opts: { maxAgeSeconds: number; csp: string; immutable?: boolean }): RequestHandler {
  return express.static(root, {
    index: false,
    dotfiles: 'ignore',
    etag: true,
    lastModified: true,
    maxAge: opts.maxAgeSeconds * 1000,
    // `immutable`: a browser does not even revalidate on reload (for paths that name a version or a content hash).
    immutable: opts.immutable ?? false,
    fallthrough: true,
    setHeaders(res) {
      res.setHeader('Content-Security-Policy', opts.csp);
      res.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });
}
