'use client';

import { useState } from 'react';

/** Long text shown folded: the first `lines` lines and a button to show the rest. */
export function Folded({
  text,
  lines = 20,
  className,
}: {
  text: string;
  lines?: number;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  const all = text.split('\n');
  const folded = !open && all.length > lines;
  return (
    <div className={`folded ${className ?? ''}`}>
      <pre>{folded ? all.slice(0, lines).join('\n') : text}</pre>
      {all.length > lines && (
        <button type="button" className="link" onClick={() => setOpen(!open)}>
          {open ? 'Fold' : `Show all ${all.length} lines`}
        </button>
      )}
    </div>
  );
}
