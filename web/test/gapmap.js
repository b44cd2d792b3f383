// The gapmap binary the web tests run: $GAPMAP_BIN if set, else the one `cargo test`
// builds for the API tests (`cargo test --no-run --test api` reports it; a no-op after
// `cargo test`, where a plain `cargo build` would compile every dependency again without
// the dev-dependencies' features; it honours CARGO_TARGET_DIR).

import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The path of the gapmap executable to run. */
export function gapmapBinary() {
  if (process.env.GAPMAP_BIN) return process.env.GAPMAP_BIN;
  const args = ['test', '--no-run', '--test', 'api', '--message-format=json-render-diagnostics'];
  const out = execFileSync('cargo', args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
  });
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const msg = JSON.parse(line);
    const bin = msg.target && msg.target.name === 'gapmap' && msg.target.kind.includes('bin');
    if (msg.reason === 'compiler-artifact' && msg.executable && bin) return msg.executable;
  }
  throw new Error('cargo test --no-run did not report the gapmap binary');
}
