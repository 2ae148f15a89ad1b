/** Browser-side calls to the console's API; a non-2xx answer becomes an `ApiFailure` with field errors. */
export interface FieldError {
  path: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly type: string,
    readonly fields: FieldError[],
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
  /** The message for one field, if the server named it. */
  field(path: string): string | undefined {
    return this.fields.find((f) => f.path === path)?.message;
  }
}

interface ErrorBody {
  error?: { type?: string; message?: string; fields?: FieldError[] };
}

export async function api<T>(
  url: string,
  init?: { method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'; body?: unknown; signal?: AbortSignal },
): Promise<T> {
  const method = init?.method ?? 'GET';
  // Every mutation is JSON, with or without a body: the console's proxy answers 415 otherwise
  // (core/web-guard.ts), so a cross-site "simple" form post can never pass for one of ours.
  const mutation = method !== 'GET';
  const res = await fetch(url, {
    method,
    headers: mutation ? { 'content-type': 'application/json' } : undefined,
    body: mutation ? JSON.stringify(init?.body ?? {}) : undefined,
    cache: 'no-store',
    signal: init?.signal,
  });
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : {};
  if (!res.ok) {
    const err = (json as ErrorBody).error;
    throw new ApiFailure(
      err?.message ?? `Request failed (${res.status})`,
      res.status,
      err?.type ?? 'Unknown',
      err?.fields ?? [],
    );
  }
  return json as T;
}

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
