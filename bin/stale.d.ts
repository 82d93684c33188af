// Types for stale.js (plain CommonJS, so that bin/fc41d.js loads it without a TypeScript loader).
export declare const ENTRY: string;
export declare const BUNDLE: string;
export declare const CODE_CACHE: string;
export declare const STAMP_FILE: string;
export interface Stamp {
  files: Record<string, [size: number, mtimeMs: number] | null>;
}
export declare function describeInputs(root: string, inputs: string[], before?: Stamp['files']): Stamp;
export declare function fingerprintTree(root: string, dir: string): Stamp['files'];
export declare function staleReason(root: string): string | null;
