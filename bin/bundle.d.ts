// Types for bundle.js (plain CommonJS, so that bin/fc41d.js loads it without a TypeScript loader).
import type { Script } from 'node:vm';
export declare const WRITE_CACHE_ENV: string;
export declare function readCache(cacheFile: string, tag: string): Buffer | undefined;
export declare function compileBundle(root: string): { file: string; script: Script; tag: string; cacheUsed: boolean };
export declare function runBundle(root: string): void;
