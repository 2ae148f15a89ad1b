/** pino, with secret-looking fields redacted wherever they appear. */
import pino from 'pino';

export function createLogger(name: string, level: string) {
  return pino({
    name,
    level,
    redact: {
      paths: [
        '*.apiKey',
        '*.token',
        '*.authorization',
        '*.headers.authorization',
        '*.env',
        'env',
        'apiKey',
        'token',
      ],
      censor: '[redacted]',
    },
  });
}
export type Logger = ReturnType<typeof createLogger>;
