/**
 * The object store (../shared/DESIGN.md, "Storage"): MCAP recordings, model files, dataset exports.
 * Keys are '/'-separated relative paths. Two backends implement it: a local directory (DATA_DIR,
 * the default) and any S3-compatible service (S3_ENDPOINT, s3-object-store.ts), so callers never
 * touch the file system.
 */
export interface ObjectStore {
  /** A writer that appears under `key` only once committed: readers never see half a file. */
  createWriter(key: string): Promise<ObjectWriter>;
  /** Byte range reader, for MCAP's indexed reader and for HTTP range downloads. */
  openReader(key: string): Promise<ObjectReader | null>;
  /** Keys under a prefix, with size and modification time. */
  list(prefix: string): Promise<ObjectInfo[]>;
  remove(key: string): Promise<void>;
  /**
   * Removes what writers left unfinished (a process killed mid-write) longer ago than
   * olderThanMs; returns how many. Live writers are younger, so any copy may call it at start.
   */
  sweepUnfinished(olderThanMs: number): Promise<number>;
}

export interface ObjectInfo {
  key: string;
  size: number;
  modifiedAt: Date;
}

export interface ObjectWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** Bytes written so far. */
  readonly bytes: number;
  /** Makes the object visible under its key. */
  commit(): Promise<void>;
  /** Drops what was written. */
  abort(): Promise<void>;
}

export interface ObjectReader {
  size(): Promise<bigint>;
  read(offset: bigint, length: bigint): Promise<Uint8Array>;
  close(): Promise<void>;
}
