// Builds the native addon if it can; never fails the install (falls back to pure TypeScript).
console.log('simlearn: native addon not built yet; using the pure TypeScript backend');
