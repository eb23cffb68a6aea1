export interface FaultOptions {
  /**
   * disk-full: the write stores half of the text, then fails with ENOSPC;
   * read-only: opening for writing, renames and links to the file fail with EROFS;
   * hang-mid-write: the write stores half of the text and never finishes;
   * hang-before-rename: the whole text is written and flushed, then its rename never finishes
   */
  fault: 'disk-full' | 'read-only' | 'hang-mid-write' | 'hang-before-rename';
  /** the fault hits files whose path contains this */
  matches: string;
  /** this many writes of matching files succeed first; default 0 */
  after?: number;
  /** a hang writes this file first, so that a test knows when to kill the process */
  marker?: string;
}

export function injectFault(options: FaultOptions): () => void;
