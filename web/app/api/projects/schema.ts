/** POST /api/projects body: the repository path and an optional worktree directory. */
export {
  registerProjectInputSchema as createProjectBody,
  type RegisterProjectInput as CreateProjectBody,
} from '../../../lib/projects.js';
