// Vite bundles CSS imported from TypeScript; this tells the compiler such imports exist.
declare module '*.css';
