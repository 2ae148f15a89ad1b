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
        <header className="topbar">
          <Link href="/" className="brand">
            Ratchet
          </Link>
          <nav>
            <Link href="/">Board</Link>
            <Link href="/inbox" data-testid="nav-inbox">
              Inbox <InboxBadge />
            </Link>
            <Link href="/insights">Insights</Link>
            <Link href="/projects">Projects</Link>
            <Link href="/settings">Settings</Link>
            <Link href="/health">Health</Link>
          </nav>
        </header>
        <HealthBanner />
        <main>{children}</main>
      </body>
    </html>
  );
}
