/**
 * The console's one Temporal client, connected lazily on first use and cached on globalThis so
 * Next.js hot reload does not open a connection per edit. A failed connect is not cached: the
 * next request tries again (the dev server may still be starting).
 */
import { Client, Connection } from '@temporalio/client';
import { getConfig } from './env.js';
import { DomainError } from './errors.js';

const cache = globalThis as unknown as { __ratchetTemporal?: Promise<Client> };

/** @default 5000 */
export const TEMPORAL_CONNECT_TIMEOUT_MS = 5000;

export function temporalAddress(): string {
  const address = getConfig().temporal.address;
  if (!address) {
    throw new DomainError(
      'TemporalUnavailable',
      'TEMPORAL_ADDRESS is not set; start the console through `npm start`, which sets it.',
    );
  }
  return address;
}

export function temporalClient(): Promise<Client> {
  if (!cache.__ratchetTemporal) {
    const { namespace } = getConfig().temporal;
    const pending = (async () => {
      const address = temporalAddress();
      try {
        const connection = await Connection.connect({ address, connectTimeout: TEMPORAL_CONNECT_TIMEOUT_MS });
        return new Client({ connection, namespace });
      } catch (err) {
        throw new DomainError(
          'TemporalUnavailable',
          `Cannot reach Temporal at ${address}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    })();
    cache.__ratchetTemporal = pending;
    pending.catch(() => {
      if (cache.__ratchetTemporal === pending) cache.__ratchetTemporal = undefined;
    });
  }
  return cache.__ratchetTemporal;
}
