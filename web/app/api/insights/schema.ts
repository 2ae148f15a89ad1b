/** Query of GET /api/insights: `project`, and `days` (7 | 30 | 90) or `from` and `to` (YYYY-MM-DD, UTC, inclusive). */
export { insightsQuerySchema as insightsQuery } from '../../../../core/insights.js';
