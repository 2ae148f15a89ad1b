// The workflow bundle's entry: every workflow type the worker serves.
export { workspaceWorkflow } from './workspace.js';
export { pollerWorkflow } from './poller.js';
export { ratchetWorkflow } from './ratchet.js';
export { fixerWorkflow } from './fixer.js';
export { githubLookupWorkflow } from './lookup.js';
export { notifyWorkflow } from './notify.js';
