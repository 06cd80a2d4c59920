/** One file a renderer produces, by its path relative to `out/`. Renderers never write files. */
export interface OutputFile {
  path: string;
  contents: string | Uint8Array;
}
