import { Command } from 'commander'
export function chatCommand(): Command {
  return new Command('chat')
}
