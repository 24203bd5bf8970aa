/**
 * A task kind's parameters: declared in the code with type and bounds, sent as name/value
 * strings, parsed and checked here before anything is split or run. The PWA builds its form
 * from the same declarations.
 */
export type ParamType = 'int' | 'number' | 'numbers'

export interface ParamSpec {
  readonly name: string
  readonly label: string
  readonly type: ParamType
  /** As the form shows it and as it is used when the announcer leaves it out. */
  readonly default: string
  readonly min: number
  readonly max: number
  /** For 'numbers': how many values at most. */
  readonly maxItems?: number
  readonly help: string
}

export type ParamValue = number | readonly number[]
export type ParsedParams = Readonly<Record<string, ParamValue>>

export type ParseResult = { readonly ok: true; readonly params: ParsedParams } | { readonly ok: false; readonly reason: string }

export function parseParams(specs: readonly ParamSpec[], given: readonly { name: string; value: string }[]): ParseResult {
  const byName = new Map<string, string>()
  for (const { name, value } of given) {
    if (!specs.some((spec) => spec.name === name))
      return { ok: false, reason: `unknown parameter '${name}' (known: ${specs.map((s) => s.name).join(', ')})` }
    if (byName.has(name)) return { ok: false, reason: `parameter '${name}' given twice` }
    byName.set(name, value)
  }
  const params: Record<string, ParamValue> = {}
  for (const spec of specs) {
    const raw = byName.get(spec.name) ?? spec.default
    const parsed = parseOne(spec, raw)
    if (typeof parsed === 'string') return { ok: false, reason: `${spec.name}: ${parsed}` }
    params[spec.name] = parsed
  }
  return { ok: true, params }
}

function parseOne(spec: ParamSpec, raw: string): ParamValue | string {
  if (spec.type === 'numbers') {
    const parts = raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0)
    if (parts.length === 0) return 'needs at least one value'
    if (parts.length > (spec.maxItems ?? 16)) return `at most ${spec.maxItems ?? 16} values`
    const values: number[] = []
    for (const part of parts) {
      const value = parseNumber(part, spec.min, spec.max, false)
      if (typeof value === 'string') return value
      values.push(value)
    }
    return values
  }
  return parseNumber(raw.trim(), spec.min, spec.max, spec.type === 'int')
}

function parseNumber(text: string, min: number, max: number, integer: boolean): number | string {
  if (!/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(text)) return `'${text}' is not a number`
  const value = Number(text)
  if (integer && !Number.isInteger(value)) return `'${text}' is not an integer`
  if (!(value >= min && value <= max)) return `${value} is outside [${min}, ${max}]`
  return value
}

/** Canonical name/value pairs, in the kind's declared order, for the wire and the log. */
export function formatParams(specs: readonly ParamSpec[], params: ParsedParams): { name: string; value: string }[] {
  return specs.map((spec) => {
    const value = params[spec.name]
    return { name: spec.name, value: Array.isArray(value) ? value.join(',') : String(value) }
  })
}

export function num(params: ParsedParams, name: string): number {
  const value = params[name]
  if (typeof value !== 'number') throw new TypeError(`${name} is not a number`)
  return value
}

export function nums(params: ParsedParams, name: string): readonly number[] {
  const value = params[name]
  if (!Array.isArray(value)) throw new TypeError(`${name} is not a list`)
  return value
}
