/**
 * Environment variables as the composition root read them (`runtrace`'s config module passes
 * `process.env`); a library never reads the process environment itself.
 */
export type Environment = Readonly<Record<string, string | undefined>>;
