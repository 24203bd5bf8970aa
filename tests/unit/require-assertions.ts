import { beforeEach, expect } from 'vitest'

// Every unit test must assert something: one that runs no expect (a loop over nothing, a
// callback that never fired) fails instead of passing silently.
beforeEach(() => {
  expect.hasAssertions()
})
