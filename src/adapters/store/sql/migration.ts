/**
 * @module The shape of one schema migration. Kept apart from the list in migrations.ts so a module
 * that defines a migration next to its tables (files.ts, hot-path-layout.ts) does not import the
 * module that imports it back.
 */

export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: readonly string[]
}
