// Renders public/icons/icon.svg to the PNG sizes the web app manifest names.
// Run after editing the SVG: npx tsx scripts/render-icons.ts
import { readFileSync } from 'node:fs'
import { launchChromium } from '../tests/e2e/harness/browser'

const svg = readFileSync('public/icons/icon.svg', 'utf8')
const browser = await launchChromium()
for (const size of [192, 512]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } })
  await page.setContent(`<html><body style="margin:0">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`)
  await page.screenshot({ path: `public/icons/icon-${size}.png`, omitBackground: true })
  await page.close()
}
await browser.close()
console.log('wrote public/icons/icon-192.png and icon-512.png')
