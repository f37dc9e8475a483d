import { defineConfig } from 'vitest/config'

// Unit and conformance tests run in Node (React tests pick happy-dom per file); browser behaviour is covered by Playwright in test/e2e.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
