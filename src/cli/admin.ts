/**
 * @module `chat4all admin grant|revoke <username>`: the admin role from the command line, for the
 * operator of the deployment. It opens the store `serve` would open (same configuration), so it works
 * beside a running platform and before the first start alike. `admin dead-letters` and
 * `admin replay` go through the API instead, as a logged-in admin.
 */
import { Command } from 'commander'
import { deadLetterCommands } from './client/commands/admin.js'

async function setRole(username: string, isAdmin: boolean): Promise<void> {
  // Loaded here, not at the top: the other commands of the CLI should not load the platform.
  const [{ openConfiguredStore }, { loadConfig }, { setAdminRole }] = await Promise.all([
    import('../app.js'),
    import('../config/load.js'),
    import('../core/admin.js'),
  ])
  const { config, warnings } = loadConfig()
  for (const warning of warnings) process.stderr.write(`${warning}\n`)
  const store = await openConfiguredStore(config)
  try {
    const user = await setAdminRole({ store }, username, isAdmin)
    if (!user) {
      process.stderr.write(`No user '${username}'\n`)
      process.exitCode = 1
      return
    }
    process.stdout.write(`${user.username} is ${isAdmin ? 'now an admin' : 'no longer an admin'}\n`)
  } finally {
    await store.close()
  }
}

export function adminCommand(): Command {
  const admin = new Command('admin').description('manage who may operate the platform (/v1/admin)')
  admin
    .command('grant <username>')
    .description('make a user an admin')
    .action((username: string) => setRole(username, true))
  admin
    .command('revoke <username>')
    .description('take the admin role from a user')
    .action((username: string) => setRole(username, false))
  for (const command of deadLetterCommands()) admin.addCommand(command)
  return admin
}
