// Lint rules that keep the layers apart: what may import what is enforced here, not remembered.
import tseslint from 'typescript-eslint'
import { importX } from 'eslint-plugin-import-x'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'

const nodeBuiltins = { group: ['node:*'], message: 'Node-only code lives in a node/ folder of its module (README: folder map).' }
const nodeOnlyFolders = { group: ['**/node/*', 'better-sqlite3'], message: 'Node-only module: browsers cannot load it.' }
const relay = { group: ['**/relay/*', '../relay', '../../relay'], message: 'relay/ is the Node server; share code through workers/.' }
const app = { group: ['**/app/*'], message: 'app/ is the PWA; share code through workers/.' }
const io = {
  group: ['libp2p', '@libp2p/*', '@chainsafe/*', 'dexie', 'better-sqlite3', '**/net/*', '**/storage/*', '**/adapter/*'],
  message: 'Protocol cores are pure state machines: I/O, timers and storage belong to their adapters.',
}
const timers = [
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'queueMicrotask',
  'requestAnimationFrame',
].map((name) => ({
  name,
  message: 'Protocol cores take time as input (ticks), they own no timers.',
}))

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-test/', '**/*.pb.ts', 'tests/bench/results/', 'public/data/', 'tests/unit/lint/fixtures/'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      // no-cycle follows imports into other files; it must be able to parse TypeScript there.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // A module augments MessageKindMap with `interface MessageKindMap extends PayloadsOf<...> {}`.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  {
    files: ['workers/**/*.ts'],
    ignores: ['workers/**/node/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, nodeOnlyFolders, relay, app] }] },
  },
  {
    files: ['workers/**/node/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [relay, app] }] },
  },
  {
    files: ['app/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, nodeOnlyFolders, relay] }] },
  },
  {
    files: ['relay/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [app] }] },
  },
  {
    files: [
      'workers/consensus/bft/**/*.ts',
      'workers/consensus/raft/**/*.ts',
      'workers/consensus/certificate/**/*.ts',
      'workers/secagg/**/*.ts',
      'workers/fl/aggregation/**/*.ts',
    ],
    ignores: ['workers/**/node/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [nodeBuiltins, nodeOnlyFolders, relay, app, io] }],
      'no-restricted-globals': ['error', ...timers],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Protocol cores take the time as input.' }],
    },
  },
)
