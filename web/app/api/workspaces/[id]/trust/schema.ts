/** POST /api/workspaces/:id/trust body: the decision and the sha256 of the script text that was shown. */
export {
  decideTrustInputSchema as trustBody,
  type DecideTrustInput as TrustBody,
} from '../../../../../../core/script-trust.js';
