import { defineConfig } from 'vitest/config'

// Unit tests are pure and fast (protocol cores, simulators, codecs); e2e tests drive
// real Chromium against a real relay process and run one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          setupFiles: ['tests/unit/require-assertions.ts'],
          environment: 'node',
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          // The four-validator FL file runs on request (MESH_E2E_FL_VALIDATORS=1): its rounds
          // stall in some runs on two cores (README, "Known problem" under Federated round).
          exclude: process.env.MESH_E2E_FL_VALIDATORS === '1' ? [] : ['tests/e2e/federated-validators.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
