import type { ClusterKernel } from './kernel-api.ts';
import { createJsKernel } from './kernel-js.ts';
import { createWasmKernel } from './kernel-simd.ts';
import { kernelWasmBytes } from './kernel-wasm.ts';

export type { ClusterKernel, MixtureSums, MixtureVisitor } from './kernel-api.ts';

let current: ClusterKernel | null = null;

/** Compiles bytes (declared abstract in the Workers types: workerd refuses it at run time). */
function compile(bytes: Uint8Array): WebAssembly.Module {
  const Module = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;
  return new Module(bytes);
}

let wasmFailure: unknown = null;

/**
 * The kernel in use: WebAssembly when the runtime may compile the embedded module (Node), else
 * the JS one (workerd forbids compiling WebAssembly from bytes: pass it the imported module with
 * `useClusterKernel(module)` instead).
 */
export function clusterKernel(): ClusterKernel {
  if (current) return current;
  try {
    current = bestWasmKernel();
  } catch (error) {
    wasmFailure = error;
    current = createJsKernel();
  }
  return current;
}

/** The relaxed-SIMD module where the engine validates it, else the plain SIMD one. */
function bestWasmKernel(): ClusterKernel {
  const relaxed = kernelWasmBytes(true);
  if (WebAssembly.validate(relaxed)) return createWasmKernel(compile(relaxed), 'wasm-relaxed');
  return createWasmKernel(compile(kernelWasmBytes(false)), 'wasm');
}

/**
 * Chooses the kernel: 'js'; 'wasm' (the embedded bytes: relaxed SIMD where supported, else plain
 * SIMD; throws where compiling bytes is disallowed); 'wasm-plain' (plain SIMD only); or a
 * precompiled module of kernel.wasm or kernel-relaxed.wasm (e.g. `import mod from
 * './kernel-relaxed.wasm'` under workerd, where it arrives as a WebAssembly.Module).
 */
export function useClusterKernel(choice: 'js' | 'wasm' | 'wasm-plain' | WebAssembly.Module): ClusterKernel {
  if (choice === 'js') current = createJsKernel();
  else if (choice === 'wasm') current = bestWasmKernel();
  else if (choice === 'wasm-plain') current = createWasmKernel(compile(kernelWasmBytes(false)), 'wasm');
  else current = createWasmKernel(choice, 'wasm');
  return current;
}

/** Why the WebAssembly kernel could not be used, when `clusterKernel()` fell back to JS. */
export function wasmKernelFailure(): unknown {
  return wasmFailure;
}
