/** @module The client commands of `chat4all`, built on the SDK (src/client). */
import type { Command } from 'commander'
import { accountCommands } from './commands/account.js'
import { chatCommand } from './commands/chat.js'
import { conversationsCommand } from './commands/conversations.js'
import { fileCommands } from './commands/files.js'
import { messageCommands } from './commands/messages.js'

export function clientCommands(): Command[] {
  return [...accountCommands(), conversationsCommand(), ...messageCommands(), ...fileCommands(), chatCommand()]
}
