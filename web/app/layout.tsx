import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
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
            <Link href="/projects">Projects</Link>
            <Link href="/settings">Settings</Link>
            <a href="/api/health">Health</a>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
