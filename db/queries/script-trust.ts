/** Reads and writes of `script_trust`: one row per (project, kind, sha256); a later decision replaces the earlier one. */
import { and, desc, eq } from 'drizzle-orm';
import type { MCP_TRUST_KIND } from '../../core/mcp.js';
import type { ScriptKind, TrustDecision } from '../../core/script-trust.js';

/** A script kind, or `mcp` for a project's MCP server config (core/mcp.ts). */
export type TrustKind = ScriptKind | typeof MCP_TRUST_KIND;
import type { Db } from '../client.js';
import { scriptTrust, type ScriptTrust } from '../schema.js';

export function getScriptTrust({
  db,
  projectId,
  kind,
  sha256,
}: {
  db: Db;
  projectId: string;
  kind: TrustKind;
  sha256: string;
}): ScriptTrust | undefined {
  return db
    .select()
    .from(scriptTrust)
    .where(
      and(eq(scriptTrust.projectId, projectId), eq(scriptTrust.kind, kind), eq(scriptTrust.sha256, sha256)),
    )
    .get();
}

/** Records a decision; deciding the same text again (a retried activity, a later workspace) updates the row. */
export function recordScriptTrust({
  db,
  row,
}: {
  db: Db;
  row: {
    projectId: string;
    kind: TrustKind;
    sha256: string;
    script: string;
    decision: TrustDecision;
    workspaceId: string | null;
  };
}): void {
  db.insert(scriptTrust)
    .values({ ...row, decidedAt: Date.now() })
    .onConflictDoUpdate({
      target: [scriptTrust.projectId, scriptTrust.kind, scriptTrust.sha256],
      set: { decision: row.decision, workspaceId: row.workspaceId, decidedAt: Date.now() },
    })
    .run();
}

/** Every decision for a project, newest first (for a per-project "trusted scripts" list). */
export function listScriptTrust({ db, projectId }: { db: Db; projectId: string }): ScriptTrust[] {
  return db
    .select()
    .from(scriptTrust)
    .where(eq(scriptTrust.projectId, projectId))
    .orderBy(desc(scriptTrust.decidedAt))
    .all();
}
