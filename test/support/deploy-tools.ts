/**
 * promtool (Debian's `prometheus` package) for the deployment tests. Absent on a developer machine,
 * the suites that need it are skipped with a loud warning; under CI=true its absence fails them.
 */
import { execFileSync } from 'node:child_process'

export function promtoolAvailable(): boolean {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    if (process.env['CI'] === 'true') throw new Error('promtool is required under CI=true: apt-get install prometheus (.ci/run does)')
    console.warn('\n⚠️  SKIPPING promtool checks: promtool is not installed (apt-get install prometheus).\n')
    return false
  }
}

export function dockerComposeAvailable(): boolean {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' })
    return true
  } catch {
    if (process.env['CI'] === 'true') throw new Error('docker-compose is required under CI=true: apt-get install docker-compose (.ci/run does)')
    console.warn('\n⚠️  SKIPPING compose validation: docker-compose is not installed (apt-get install docker-compose).\n')
    return false
  }
}
