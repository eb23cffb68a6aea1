// wgsl_reflect's "main" is CommonJS inside a "type": "module" package, so it is imported by its ES module
// file (../shared/TOOLCHAIN.md §4); this gives that path the package's types.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
