// Where SwiftShader spends a matmul.wgsl product's time, instruction by instruction: runs the forward
// product of one feed (matmul-feed.ts standaloneForward, n³) in a loop in a child process, samples it with
// `perf record`, copies SwiftShader's JIT code (the process's memfd:swiftshader_jit mapping) out of
// /proc/<pid>/mem, disassembles it with objdump, and prints the share of samples by kind of instruction:
// 16-byte moves to and from the stack (spilled SIMD values), the extracts and inserts of Subzero's emulated
// gathers, the arithmetic. docs/webgpu-kernels.md "Where a product's time goes on SwiftShader" gives a run.
// Needs perf and objdump (Debian: linux-perf, binutils) and the right to read the child's memory (root).
// Run after `npm run build`: node scripts/jit-profile.mjs [feed=subgroup] [n=512]
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [mode, ...args] = process.argv.slice(2);

async function child(feed, n, seconds) {
  const { standaloneForward } = await import('../dist/src/backends/webgpu/matmul-feed.js');
  const { compiledKernels } = await import('../dist/src/backends/webgpu/pipelines.js');
  const { dawnFlags } = await import('../dist/src/node-platform.js');
  const { create, globals } = createRequire(import.meta.url)('webgpu');
  Object.assign(globalThis, globals);
  // Kept referenced for the life of the process: a collected instance can end the process mid-run.
  globalThis.dawn = create(dawnFlags);
  const adapter = await globalThis.dawn.requestAdapter();
  const features = adapter.features.has('subgroups') ? ['subgroups'] : [];
  const device = await adapter.requestDevice({ requiredFeatures: features });
  const product = standaloneForward(device, { rows: n, columns: n, depth: n }, feed);
  await compiledKernels(product.kernels);
  console.log(`ready ${process.pid}`);
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    product.run(1);
    await device.queue.onSubmittedWorkDone();
  }
  process.exit(0);
}

/** Kinds of instruction, by mnemonic and operands (AT&T syntax, as objdump prints it). */
function kindOf(instruction) {
  const [mnemonic = '?', operands = ''] = instruction.split(/\s+(.*)/);
  if (mnemonic === 'movups' || mnemonic === 'movaps') {
    const [source, target] = operands.split(/,(?=[^,]*$)/);
    if (source.includes('(%rsp)')) return 'SIMD load from the stack';
    if (target.includes('(%rsp)')) return 'SIMD store to the stack';
    if (source.includes('(') || target.includes('(')) return 'SIMD load or store elsewhere';
    return 'SIMD register move';
  }
  if (/^(pextr|pinsr|insertps|extractps)/.test(mnemonic)) return 'lane extract or insert (gathers)';
  if (/^(add|sub|mul|div|min|max)ps$/.test(mnemonic)) return 'float arithmetic';
  if (/^j/.test(mnemonic)) return 'jump';
  return mnemonic;
}

async function parent(feed, n) {
  const work = mkdtempSync(join(tmpdir(), 'jit-profile-'));
  const script = fileURLToPath(import.meta.url);
  const workload = spawn(process.execPath, [script, '--child', feed, String(n), '30'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const pid = await new Promise((resolve, reject) => {
      workload.stdout.on('data', (chunk) => {
        const ready = /ready (\d+)/.exec(String(chunk));
        if (ready) resolve(Number(ready[1]));
      });
      workload.on('exit', () => reject(new Error('the workload ended before it was ready')));
    });
    const samples = join(work, 'perf.data');
    execFileSync('perf', ['record', '-F', '4000', '-p', String(pid), '-o', samples, '--', 'sleep', '5'], {
      stdio: 'ignore',
    });
    // The JIT code, while the process still has it mapped.
    const mapping = readFileSync(`/proc/${pid}/maps`, 'utf8')
      .split('\n')
      .find((line) => line.includes('swiftshader_jit') && line.split(/\s+/)[1]?.includes('x'));
    if (!mapping) throw new Error('no SwiftShader JIT mapping: is the adapter SwiftShader?');
    const [start, end] = mapping
      .split(/\s+/)[0]
      .split('-')
      .map((hex) => Number.parseInt(hex, 16));
    const code = Buffer.alloc(end - start);
    const memory = openSync(`/proc/${pid}/mem`, 'r');
    readSync(memory, code, 0, code.length, start);
    closeSync(memory);
    const binary = join(work, 'jit.bin');
    writeFileSync(binary, code);
    const listing = execFileSync(
      'objdump',
      ['-D', '-b', 'binary', '-m', 'i386:x86-64', `--adjust-vma=0x${start.toString(16)}`, binary],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    const instructions = new Map();
    for (const line of listing.split('\n')) {
      const parsed = /^\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*(\S.*)$/.exec(line);
      if (parsed) instructions.set(Number.parseInt(parsed[1], 16), parsed[2]);
    }
    const addresses = execFileSync('perf', ['script', '-i', samples, '-F', 'ip,dso'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      stderr: 'ignore',
    });
    let all = 0;
    let inJit = 0;
    const byKind = new Map();
    for (const line of addresses.split('\n')) {
      if (!line.trim()) continue;
      all++;
      if (!line.includes('swiftshader_jit')) continue;
      inJit++;
      const kind = kindOf(instructions.get(Number.parseInt(line.trim().split(/\s+/)[0], 16)) ?? '?');
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    console.log(
      `${feed} ${n}³: ${all} samples, ${((100 * inJit) / all).toFixed(1)}% in SwiftShader's JIT code; of those:`,
    );
    for (const [kind, count] of [...byKind].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      console.log(`  ${kind.padEnd(32)} ${((100 * count) / inJit).toFixed(1)}%`);
    }
  } finally {
    workload.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

if (mode === '--child') await child(args[0], Number(args[1]), Number(args[2]));
else await parent(mode ?? 'subgroup', Number(args[0] ?? 512));
