import { defineConfig } from 'vitest/config'

// Three tiers (see README): pure unit tests, adapter contracts against real engines, and
// end-to-end tests that start the platform and talk to it over real HTTP.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'], exclude: ['src/**/*.contract.test.ts'] } },
      {
        test: {
          name: 'contract',
          include: ['src/**/*.contract.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
