/** @module What every simulator is started with; each has its own defaults for what is left out. */

export interface SimulatorOptions {
  /** Where the platform calls back (statuses, contacts' messages). Settable later through `/_sim/webhook`. */
  readonly webhookUrl?: string
  /** Telegram only: the `secret_token` sent in `X-Telegram-Bot-Api-Secret-Token`. */
  readonly webhookSecret?: string
  /** The account played: phone number id (WhatsApp), Instagram account id; Telegram takes it from the token. */
  readonly account?: string
  /** The token sends must carry (Telegram: the bot token). */
  readonly accessToken?: string
  /** The app secret webhooks are signed with (Meta platforms). */
  readonly appSecret?: string
  /** Milliseconds from a send to its delivered callback; null: never. */
  readonly deliveredDelayMs?: number | null
  /** Milliseconds from a send to its read callback; null: never. */
  readonly readDelayMs?: number | null
}
