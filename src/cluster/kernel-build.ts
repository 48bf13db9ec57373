/**
 * Build-time helpers (used by `node bench/cluster.ts --build-kernel` and the kernel test): the
 * relaxed-SIMD variant of kernel.wat, where each of the product tile's 8 `a += x·v` becomes one
 * f32x4.relaxed_madd (a fused multiply-add where the CPU has one). Only the float32 products
 * that rank candidates change; every reported value comes from the same float64 code.
 */
export function relaxedWat(wat: string): string {
  const pattern =
    /\(f32x4\.add \(local\.get (\$a\d\d)\) \(f32x4\.mul \(local\.get (\$x\d)\) \(local\.get \$v\)\)\)/g;
  const out = wat.replace(pattern, '(f32x4.relaxed_madd (local.get $2) (local.get $$v) (local.get $1))');
  if ((out.match(/relaxed_madd/g) ?? []).length !== 8)
    throw new Error('kernel.wat: expected 8 multiply-adds in gemm');
  return out;
}

/** base64 of bytes, cut into lines of string literals joined by `+`. */
function literal(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return (btoa(text).match(/.{1,96}/g) ?? []).map((line) => `  '${line}'`).join(' +\n');
}

/** The source of kernel-wasm.ts for the two assembled modules. */
export function kernelModuleSource(plain: Uint8Array, relaxed: Uint8Array): string {
  return `// Generated from kernel.wat by \`node bench/cluster.ts --build-kernel\`; do not edit.

/** kernel.wasm (${plain.length} bytes, SIMD), base64. */
export const KERNEL_WASM_BASE64 =
${literal(plain)};

/** kernel-relaxed.wasm (${relaxed.length} bytes, SIMD + relaxed SIMD: fused multiply-add products), base64. */
export const KERNEL_RELAXED_WASM_BASE64 =
${literal(relaxed)};

/** The bytes of kernel.wasm, or of kernel-relaxed.wasm. */
export function kernelWasmBytes(relaxed = false): Uint8Array {
  const text = atob(relaxed ? KERNEL_RELAXED_WASM_BASE64 : KERNEL_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
`;
}
