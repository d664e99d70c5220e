/** Entry point: hands argv to the CLI. A configuration mistake is one line on stderr, not a stack trace. */
import { runCli } from './cli/program.js'
import { ConfigError } from './config/load.js'

try {
  await runCli(process.argv)
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  process.stderr.write(`chat4all: ${error.message}\n`)
  process.exit(2)
}
