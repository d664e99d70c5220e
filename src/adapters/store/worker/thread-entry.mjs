// The worker's entry point, in plain JavaScript so it loads under any parent loader (tsx, vitest,
// none): it registers tsx for this thread, then loads the TypeScript thread module.
import { register } from 'tsx/esm/api'

register()
await import('./thread.ts')
