import { MAX_TURNS } from '../../../core/agent.js';
import { getConsoleSettings, listSettingRows } from '../../../db/queries/settings.js';
import { McpServersCard } from '../../components/mcp-servers-card.js';
import { SettingsForm } from '../../components/settings-form.js';
import { db } from '../../lib/db.js';
import { getConfig, parentEnv } from '../../lib/env.js';
import { listProjectMcp } from '../../lib/mcp-servers.js';
import { checkProviders, type ProviderHealth } from '../../lib/provider-health.js';
import { credentialRunner, runnerAvailability } from '../../lib/runners.js';

export const dynamic = 'force-dynamic';

function healthText(h: ProviderHealth): string {
  const auth =
    h.authenticated === null
      ? 'credentials not checked'
      : h.authenticated
        ? 'authenticated'
        : 'not authenticated';
  return `${h.installed ? 'installed' : 'not installed'} · ${auth}`;
}

export default async function SettingsPage() {
  const config = getConfig();
  const database = db();
  const { values, invalid } = getConsoleSettings({ db: database });
  const rows = listSettingRows({ db: database });
  const available = runnerAvailability();
  const providers = await checkProviders(config, parentEnv());
  const mcp = await listProjectMcp(database);
  const providerRows: [string, ProviderHealth][] = [
    ['anthropic', providers.anthropic],
    ['openai', providers.openai],
    ['claude-code', providers['claude-code']],
    ...Object.entries(providers.acp).map(([name, h]): [string, ProviderHealth] => [`acp: ${name}`, h]),
  ];
  return (
    <div className="narrow">
      <SettingsForm
        initial={values}
        invalid={invalid}
        fallback={{ runner: credentialRunner(available), mode: 'agent', maxTurns: MAX_TURNS.default }}
        available={available}
      />
      <section className="card" aria-label="Providers">
        <h2>Providers</h2>
        <table className="settings" data-testid="providers-table">
          <tbody>
            {providerRows.map(([name, h]) => (
              <tr key={name}>
                <th>{name}</th>
                <td>
                  {healthText(h)} <span className="muted">({h.detail})</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card" aria-label="MCP servers">
        <h2>MCP servers</h2>
        <p className="muted">
          From each project&apos;s <code>.ratchet/config.json</code> (<code>mcpServers</code>); secrets come
          from the named variables of the worker&apos;s environment.
        </p>
        {mcp.length === 0 ? (
          <p className="muted">No projects registered.</p>
        ) : (
          mcp.map((view) => <McpServersCard key={view.projectId} view={view} />)
        )}
      </section>
      <section className="card">
        <h2>Configuration</h2>
        <dl className="facts wide">
          <dt>Data directory</dt>
          <dd>
            <code>{config.home}</code>
          </dd>
          <dt>Database</dt>
          <dd>
            <code>{config.dbFile}</code>
          </dd>
          <dt>Worktrees</dt>
          <dd>
            <code>{config.worktreesDir}</code>
          </dd>
          <dt>Temporal</dt>
          <dd>
            <code>{config.temporal.address ?? 'not set'}</code> · namespace{' '}
            <code>{config.temporal.namespace}</code>
          </dd>
          <dt>Task queue</dt>
          <dd>
            <code>{config.taskQueue}</code>
          </dd>
        </dl>
      </section>
      <section className="card" aria-label="Stored settings">
        <h2>Stored settings</h2>
        {rows.length === 0 ? (
          <p className="muted">No settings stored; defaults apply.</p>
        ) : (
          <table className="settings" data-testid="settings-table">
            <tbody>
              {rows.map((r) => (
                <tr key={r.key}>
                  <th>{r.key}</th>
                  <td>
                    <code>{JSON.stringify(r.value)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
