/** @module The error a bad setting raises; `chat4all` prints its message and exits. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}
