import { split, combine } from 'shamir-secret-sharing'
import { ed25519 } from '@noble/curves/ed25519.js'
const s = new Uint8Array(32).fill(5)
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now(); let sh: Uint8Array[] = []
  for (let i = 0; i < 20; i++) sh = await split(s, 100, 67)
  const a = (performance.now() - t) / 20
  t = performance.now()
  for (let i = 0; i < 20; i++) await combine(sh.slice(0, 67))
  const b = (performance.now() - t) / 20
  t = performance.now()
  for (let i = 0; i < 20; i++) await split(s, 21, 15)
  const c = (performance.now() - t) / 20
  console.log('split100/67 ms', a.toFixed(2), 'combine67 ms', b.toFixed(2), 'split21/15', c.toFixed(2))
}
console.log(ed25519.verify.toString().slice(0, 300))
