/** Route params and query of GET /api/projects/:id/issues. */
export { projectParams, type ProjectRouteContext } from '../poke/schema.js';
export { issueSearchSchema as issuesQuery } from '../../../../../lib/intake.js';
