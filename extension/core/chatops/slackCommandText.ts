import { isChatCommandWord } from './chatCommands';
import type { SlackSlashCommand } from './slackSignature';

/**
 * The chat command a slash command carries: `/approve` + `ab12` is `/approve ab12`, and one umbrella command
 * (`/fleet approve ab12`) is read from its text alone.
 */
export function slackCommandText(command: Pick<SlackSlashCommand, 'command' | 'text'>): string {
  return isChatCommandWord(command.command) ? `${command.command} ${command.text}` : command.text;
}
