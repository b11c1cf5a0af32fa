/** One benchmark module: `npm run bench -- --json` runs every module and merges their figures into one object. */
export interface BenchModule {
  /** Short name, shown in progress output. */
  name: string;
  /** The JSON keys this module reports (used by `--only KEY`). */
  keys: readonly string[];
  /** Runs the measurement and returns figures keyed by the names in `keys`. */
  run(ctx: BenchContext): Promise<Record<string, number | null>>;
}

export interface BenchContext {
  /** Absolute path of ../shared/data when it exists, else null (modules that need it report null). */
  sharedDataDir: string | null;
  /** PostgreSQL URL for modules that measure PostgreSQL, or null when none is configured. */
  postgresUrl: string | null;
  /** A fresh scratch directory for this module. */
  tmpDir: string;
  /** Progress line to stderr. */
  log(message: string): void;
}
