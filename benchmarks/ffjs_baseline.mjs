// Baseline kernels from ffjavascript (the wasm engine under snarkjs), on inputs written by
// benchmarks/compare_kernels.py, so both implementations run on the same bytes in the same run.
//   node benchmarks/ffjs_baseline.mjs msm BASES.bin SCALARS.bin   (G1 affine LEM, 32-byte LE scalars)
//   node benchmarks/ffjs_baseline.mjs fft VALUES.bin OUT.bin       (Fr Montgomery LE)
// Prints one JSON line: seconds (best of 2 after a warm-up) and the result.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { buildBls12381 } = require("ffjavascript");

const [op, a, b] = process.argv.slice(2);
const curve = await buildBls12381();

async function best(fn) {
  await fn();
  let min = Infinity, out;
  for (let i = 0; i < 2; i++) {
    const t = process.hrtime.bigint();
    out = await fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return [min, out];
}

if (op === "msm") {
  const bases = new Uint8Array(readFileSync(a));
  const scalars = new Uint8Array(readFileSync(b));
  const [secs, res] = await best(() => curve.G1.multiExpAffine(bases, scalars));
  const [x, y] = curve.G1.toObject(curve.G1.toAffine(res));
  console.log(JSON.stringify({ seconds: secs, x: x.toString(), y: y.toString() }));
} else if (op === "fft") {
  const values = new Uint8Array(readFileSync(a));
  const [secs, res] = await best(() => curve.Fr.fft(values));
  writeFileSync(b, res);
  console.log(JSON.stringify({ seconds: secs }));
} else {
  console.error("usage: ffjs_baseline.mjs msm|fft ...");
  process.exit(2);
}
await curve.terminate();
