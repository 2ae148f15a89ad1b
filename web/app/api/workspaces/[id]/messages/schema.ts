/** POST /api/workspaces/:id/messages body: the follow-up for the agent. */
export {
  sendMessageInputSchema as sendMessageBody,
  type SendMessageInput as SendMessageBody,
} from '../../../../../../core/workspace.js';
