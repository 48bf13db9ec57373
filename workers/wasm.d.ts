/** Wrangler bundles `.wasm` imports as compiled modules (workerd forbids compiling WASM from bytes). */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
