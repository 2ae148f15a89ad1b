/**
 * Reading a Linux `/proc/<pid>/stat` line. Field 2 (the command) may hold spaces and parentheses,
 * so the fields are counted after the last `)`. Pure: the caller reads the file.
 */
export interface ProcStat {
  /** `R`, `S`, `Z` (a zombie: already dead, waiting to be reaped), … */
  state: string;
  pgid: number;
  /** The process's start time in clock ticks since boot: with the pid, it names one process. */
  startTicks: string | null;
}

export function parseProcStat(stat: string): ProcStat | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat.slice(close + 2).split(' ');
  const pgid = Number(fields[2]);
  if (!fields[0] || !Number.isInteger(pgid)) return null;
  return { state: fields[0], pgid, startTicks: fields[19] ?? null };
}
