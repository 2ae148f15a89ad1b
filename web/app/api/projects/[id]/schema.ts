/** Route params and bodies of /api/projects/:id (GET, PATCH, DELETE) and /api/projects/:id/trust. */
export { projectParams, type ProjectRouteContext } from './poke/schema.js';
export {
  projectTrustInputSchema as projectTrustBody,
  updateProjectInputSchema as updateProjectBody,
} from '../../../../lib/project-settings.js';
