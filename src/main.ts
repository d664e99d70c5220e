/** Entry point: hands argv to the CLI. */
import { runCli } from './cli/program.js'

await runCli(process.argv)
