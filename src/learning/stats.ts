// @deprecated The statistics moved to ./math/stats.ts. This re-export only keeps src/demo/world.ts (outside the
// learning area, owned elsewhere) compiling until its import is switched to ../learning/math/stats.js; then delete it.
export { gaussian, mulberry32 } from './math/stats.js';
