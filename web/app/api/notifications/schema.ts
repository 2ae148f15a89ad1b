/** Query of GET /api/notifications and body of POST /api/notifications/read. */
export { inboxQuerySchema as inboxQuery, markReadBodySchema as markReadBody } from '../../../lib/inbox.js';
