/** @module login, logout, whoami, register: tokens kept per profile in the config directory. */
import { Command } from 'commander'
import { action, withCommonOptions, type Context } from '../context.js'
import { askPassword, askText } from '../input.js'

interface LoginOptions {
  readonly username?: string
  readonly passwordStdin?: boolean
}

async function logIn(ctx: Context, username: string, password: string): Promise<void> {
  await ctx.client.auth.login(username, password)
  const me = await ctx.client.auth.me()
  await ctx.profiles.saveProfile(ctx.profileName, { server: ctx.server, username: me.username, user_id: me.user_id }, true)
  await ctx.learnName(me.user_id, me.username)
  if (ctx.json) ctx.printJson({ profile: ctx.profileName, server: ctx.server, user: me })
  else ctx.print(`Logged in to ${ctx.server} as ${me.username} (profile ${ctx.profileName}).`)
}

const credentialOptions = (command: Command) =>
  command
    .option('-u, --username <name>', 'your username (asked for on a terminal when left out)')
    .option('--password-stdin', 'read the password from standard input instead of asking')

export function accountCommands(): Command[] {
  const login = withCommonOptions(credentialOptions(new Command('login')))
    .description('log in and keep the tokens in the profile (refreshed automatically)')
    .addHelpText('after', '\nExamples:\n  chat4all login --server http://localhost:8080 --username alice\n  printf %s "$PASSWORD" | chat4all login -u alice --password-stdin --profile work')
    .action(
      action(async (ctx, options: LoginOptions) => {
        const username = await askText(options.username, 'Username', '--username')
        await logIn(ctx, username, await askPassword(options.passwordStdin))
      }, { forLogin: true }),
    )

  const register = withCommonOptions(credentialOptions(new Command('register')))
    .description('create an account, then log in with it')
    .option('--email <address>', 'an email address for the account')
    .option('--display-name <name>', 'the name others see')
    .action(
      action(async (ctx, options: LoginOptions & { email?: string; displayName?: string }) => {
        const username = await askText(options.username, 'Username', '--username')
        const password = await askPassword(options.passwordStdin, 'Password (8 characters or more)')
        await ctx.client.auth.register({
          username,
          password,
          ...(options.email ? { email: options.email } : {}),
          ...(options.displayName ? { display_name: options.displayName } : {}),
        })
        await logIn(ctx, username, password)
      }, { forLogin: true }),
    )

  const logout = withCommonOptions(new Command('logout'))
    .description('end this session on the server and forget its tokens')
    .action(
      action(async (ctx) => {
        await ctx.client.auth.logout()
        if (ctx.json) ctx.printJson({ profile: ctx.profileName, logged_out: true })
        else ctx.print(`Logged out (profile ${ctx.profileName}).`)
      }),
    )

  const whoami = withCommonOptions(new Command('whoami'))
    .description('show who the profile is logged in as, and where')
    .action(
      action(async (ctx) => {
        const me = await ctx.client.auth.me()
        if (ctx.json) return ctx.printJson({ profile: ctx.profileName, server: ctx.server, user: me })
        ctx.print(`${me.username}${me.is_admin ? ' (admin)' : ''} on ${ctx.server}`)
        ctx.print(`user id ${me.user_id} · profile ${ctx.profileName}`)
      }),
    )

  const profiles = withCommonOptions(new Command('profiles'))
    .description('list the profiles in the config directory (the current one marked *)')
    .action(
      action(async (ctx) => {
        const config = await ctx.profiles.config()
        const rows = Object.entries(config.profiles).map(([name, p]) => ({ name, current: name === ctx.profileName, ...p }))
        if (ctx.json) return ctx.printJson({ config_dir: ctx.profiles.dir, profiles: rows })
        if (rows.length === 0) return ctx.print('No profiles yet: chat4all login creates one.')
        for (const row of rows) ctx.print(`${row.current ? '*' : ' '} ${row.name.padEnd(12)} ${row.username ?? '-'} @ ${row.server}`)
      }),
    )

  return [login, logout, whoami, register, profiles]
}
