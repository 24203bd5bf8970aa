/**
 * The page's log level: `info`, or what the address asks for with `?log=debug` (or `warn`,
 * `error`). Debug lines say, for example, why each WebRTC dial failed: what someone
 * diagnosing a mesh that does not form needs, and too much for every day.
 */
export function pageLogLevel(search: string = typeof location === 'undefined' ? '' : location.search): string {
  const asked = new URLSearchParams(search).get('log')
  return asked && ['debug', 'info', 'warn', 'error'].includes(asked) ? asked : 'info'
}
