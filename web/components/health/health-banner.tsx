'use client';

/**
 * The banner on every page while a part is down (core/health-problems.ts says which, and what to
 * do). It asks `/api/health` once on load and then every `intervalMs` (15 s) while the tab is
 * visible, and again when the tab becomes visible: a light interval rather than the live channel,
 * since health changes slowly and the probes are cached (providers 30 s, GitHub 10–60 s).
 */
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { HealthProblem } from '../../../core/health-problems.js';
import './health.css';

/** @default 15000 */
export const HEALTH_BANNER_INTERVAL_MS = 15_000;

export function HealthBanner({ intervalMs = HEALTH_BANNER_INTERVAL_MS }: { intervalMs?: number }) {
  const [problems, setProblems] = useState<HealthProblem[]>([]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    const load = async () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (document.visibilityState !== 'hidden') {
        try {
          const res = await fetch('/api/health', { cache: 'no-store' });
          const body = (await res.json()) as { problems?: HealthProblem[] };
          if (!stopped && Array.isArray(body.problems)) setProblems(body.problems);
        } catch {
          // The console itself is unreachable: the next tick tries again.
        }
      }
      if (!stopped) timer = setTimeout(() => void load(), intervalMs);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void load();
    };
    void load();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [intervalMs]);
  if (problems.length === 0) return null;
  return (
    <div className="health-banner" role="alert" data-testid="health-banner">
      <ul>
        {problems.map((p) => (
          <li key={p.part} data-part={p.part}>
            <strong>{p.title}.</strong> <span className="action">{p.action}</span>
          </li>
        ))}
      </ul>
      <Link href="/health" prefetch={false}>
        Health details
      </Link>
    </div>
  );
}
