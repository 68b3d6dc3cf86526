import pino, { Logger } from 'pino';

/**
 * Structured JSON logs (pino). Keys, passwords and personal data are redacted wherever they
 * would appear; log the key id, never the key.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'federation-hub' },
    redact: {
      paths: ['*.authorization', '*.password', 'password', 'key', '*.key', 'email', '*.email', 'phone', '*.phone', 'birthDate', '*.birthDate'],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
