#!/usr/bin/env node
// Entry point for `npx gss` and `npm start`. GSS runs its TypeScript directly on Node 24 (type
// stripping); `npm install` provides Node 24 as the `node` devDependency on older machines.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12) || !process.features.typescript) {
  process.stderr.write(
    `gss: Node.js 22.12 or later is needed, but this is ${process.version}. Run it through npm (npm start, npx gss) after npm install, which provides Node 24.\n`,
  )
  process.exit(1)
}
// A reader that stops early (`gss ... | head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})
const { main } = await import('../src/cli/main.ts')
await main(process.argv)
