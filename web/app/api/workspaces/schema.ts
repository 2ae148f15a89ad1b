/** POST /api/workspaces body: project, title, prompt, optional base branch and agent settings. */
export {
  startWorkspaceInputSchema as createWorkspaceBody,
  type StartWorkspaceInput as CreateWorkspaceBody,
} from '../../../lib/workspaces.js';
