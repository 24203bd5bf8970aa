/**
 * The structured-logging shape the runtime writes to; pino's loggers (Node and browser builds)
 * satisfy it, and tests can pass a recorder. Fields first, message second, as pino does.
 */
export interface Logger {
  debug(fields: object, message?: string): void
  info(fields: object, message?: string): void
  warn(fields: object, message?: string): void
  error(fields: object, message?: string): void
  child(bindings: object): Logger
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger
  },
}
