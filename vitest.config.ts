import { defineConfig } from 'vitest/config'

// Unit and conformance tests run in Node (React tests pick happy-dom per file); browser behaviour is covered by Playwright in test/e2e.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two files at a time on 2 cores (Vitest's default is cores − 1 = 1): most real-server files
    // wait on daphne, nginx or PostgreSQL to start, so a second one overlaps that wait (185 → 145 s).
    maxWorkers: 2,
  },
})
