import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { InboxBadge } from '../components/inbox-badge.js';
import { HealthBanner } from '../components/health/health-banner.js';
import './globals.css';

export const metadata: Metadata = { title: 'Ratchet', description: 'Local-first factory for coding agents' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        {/* No prefetching: a page is fetched when it is opened, not in the background. */}
        <header className="topbar">
          <Link href="/" className="brand" prefetch={false}>
            Ratchet
          </Link>
          <nav>
            <Link href="/" prefetch={false}>
              Board
            </Link>
            <Link href="/inbox" prefetch={false} data-testid="nav-inbox">
              Inbox <InboxBadge />
            </Link>
            <Link href="/insights" prefetch={false}>
              Insights
            </Link>
            <Link href="/projects" prefetch={false}>
              Projects
            </Link>
            <Link href="/settings" prefetch={false}>
              Settings
            </Link>
            <Link href="/health" prefetch={false}>
              Health
            </Link>
          </nav>
        </header>
        <HealthBanner />
        <main>{children}</main>
      </body>
    </html>
  );
}
