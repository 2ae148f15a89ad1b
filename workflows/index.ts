// The workflow bundle's entry: every workflow type the worker serves.
export { workspaceWorkflow } from './workspace.js';
