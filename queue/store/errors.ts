/**
 * Errors a store raises that callers outside the store act on (the API answers 503 for a
 * write that could not be stored; start-up explains a store that cannot be opened). Drivers
 * throw them; nobody needs a driver's internals to recognise them.
 * @module
 */

/** A write could not be committed; nothing of it was stored. */
export class StoreWriteError extends Error {
  constructor(cause: unknown) {
    super(`The database could not commit: ${cause instanceof Error ? cause.message : cause}`, {
      cause,
    });
    this.name = "StoreWriteError";
  }
}

/** The database cannot be used; the message says why, for the person starting the service. */
export class StoreOpenError extends Error {
  constructor(readonly path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot use the database ${path}: ${reason}`, options);
    this.name = "StoreOpenError";
  }
}

/**
 * The database server cannot be reached or refuses work for now (a connection lost, a server
 * restarting or out of disk): nothing of the call was acknowledged. A kind of
 * `StoreWriteError`, so callers answer it alike (the API: 503 `storage_unavailable`); reads
 * fail with it too. The driver reconnects by itself; a later call may succeed.
 */
export class StoreUnavailableError extends StoreWriteError {
  constructor(cause: unknown) {
    super(cause);
    this.message = `The database is unavailable: ${cause instanceof Error ? cause.message : cause}`;
    this.name = "StoreUnavailableError";
  }
}
