import { describe, expect, it } from 'vitest';
import { roleOf, temporalUiUrl, workspaceWorkflowsQuery } from './temporal-ui.js';

describe('temporalUiUrl', () => {
  it('links a run to its history, encoding the slashes of the workflow id', () => {
    expect(temporalUiUrl('http://127.0.0.1:8233/', 'default', 'fix/ws_1/abc/ci', 'run-1')).toBe(
      'http://127.0.0.1:8233/namespaces/default/workflows/fix%2Fws_1%2Fabc%2Fci/run-1/history',
    );
  });
  it('without a run id, links the list of runs with that id', () => {
    expect(temporalUiUrl('https://t.example', 'prod', 'ratchet/ws_1')).toBe(
      'https://t.example/namespaces/prod/workflows?query=WorkflowId%3D%22ratchet%2Fws_1%22',
    );
  });
});

describe('workspaceWorkflowsQuery', () => {
  it('asks for the workspace, its loop and its fixers, and refuses an unsafe id', () => {
    expect(workspaceWorkflowsQuery('ws_1')).toBe(
      'WorkflowId = "workspace/ws_1" OR WorkflowId = "ratchet/ws_1" OR WorkflowId STARTS_WITH "fix/ws_1/"',
    );
    expect(() => workspaceWorkflowsQuery('ws" OR 1=1')).toThrow();
  });
  it('roleOf names the kind of workflow by its id', () => {
    expect(['workspace/a', 'ratchet/a', 'fix/a/b/ci', 'poller/o/r'].map(roleOf)).toEqual([
      'workspace',
      'ratchet',
      'fixer',
      null,
    ]);
  });
});
