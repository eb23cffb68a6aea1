// Faults injected into node:fs/promises, for the fault tests of checkpoint files: in the test's own process
// (injectFault) or in a CLI child process (node --import this file, with WEBGPU_MLP_FAULT set to the JSON of
// injectFault's options). Tests may run as root, where chmod stops no write: a real EROFS or ENOSPC needs a
// mount, so the failing calls are injected instead, at the fs/promises functions the code calls (through
// syncBuiltinESMExports, which updates every module's `import { open } from 'node:fs/promises'`).
// JavaScript, not TypeScript, so that Node 20 can preload it into the compiled CLI; types in the .d.mts.

import { writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const fs = require('node:fs/promises');
const real = { open: fs.open, rename: fs.rename, link: fs.link };

function injected(code, syscall, path) {
  const error = new Error(`${code}: injected fault, ${syscall} '${path}'`);
  return Object.assign(error, { code, syscall, path: String(path) });
}

/** Never settles, and keeps the process alive so that the test can kill it there. */
function hangForever(marker) {
  if (marker) writeFileSync(marker, 'hanging\n');
  setInterval(() => undefined, 1 << 30);
  return new Promise(() => undefined);
}

const forWriting = (flags) => typeof flags === 'string' && /[wa+]/.test(flags);

/**
 * Makes writes of files whose path contains `matches` fail (see fault-injection.d.mts); the first `after`
 * such writes succeed. Returns the function that removes the fault.
 */
export function injectFault({ fault, matches, after = 0, marker }) {
  let writes = 0;
  const hit = (path) => String(path).includes(matches) && ++writes > after;
  fs.open = async (path, flags, mode) => {
    if (!forWriting(flags) || !hit(path)) return real.open(path, flags, mode);
    if (fault === 'read-only') throw injected('EROFS', 'open', path);
    const handle = await real.open(path, flags, mode);
    if (fault === 'disk-full' || fault === 'hang-mid-write') {
      const writeFile = handle.writeFile.bind(handle);
      handle.writeFile = async (data) => {
        const text = String(data);
        await writeFile(text.slice(0, Math.floor(text.length / 2)));
        if (fault === 'hang-mid-write') return hangForever(marker);
        throw injected('ENOSPC', 'write', path);
      };
    }
    if (fault === 'hang-before-rename') {
      fs.rename = async (from, to) => {
        if (String(from) === String(path)) await hangForever(marker);
        return real.rename(from, to);
      };
      syncBuiltinESMExports();
    }
    return handle;
  };
  if (fault === 'read-only') {
    fs.rename = async (from, to) => {
      if (String(to).includes(matches)) throw injected('EROFS', 'rename', to);
      return real.rename(from, to);
    };
    fs.link = async (from, to) => {
      if (String(to).includes(matches)) throw injected('EROFS', 'link', to);
      return real.link(from, to);
    };
  }
  syncBuiltinESMExports();
  return () => {
    Object.assign(fs, real);
    syncBuiltinESMExports();
  };
}

if (process.env.WEBGPU_MLP_FAULT) injectFault(JSON.parse(process.env.WEBGPU_MLP_FAULT));
