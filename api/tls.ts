/**
 * HTTPS: the PEM files of `--tls-cert` and `--tls-key`, read at start-up, and `Deno.serve`
 * with them. Every way they can be wrong becomes one line naming the flag and the file.
 * @module
 */

/** A certificate and key that cannot be used; the message names the flag and the file. */
export class TlsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TlsError";
  }
}

/** The PEM texts of a certificate (chain) and its private key, and the files they came from. */
export interface TlsFiles {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

async function readPem(flag: string, file: string): Promise<string> {
  let text;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new TlsError(`Cannot read ${flag} ${file}: ${reason}`);
  }
  // Deno takes an empty one for none given, and its refusal would name neither file.
  if (text.trim() === "") throw new TlsError(`Cannot use ${flag} ${file}: it is empty`);
  return text;
}

/**
 * Reads both files; `undefined` when neither is given (plain HTTP). Throws a `TlsError` when
 * only one is given or one cannot be read or is empty.
 */
export async function readTls(certFile = "", keyFile = ""): Promise<TlsFiles | undefined> {
  if (certFile === "" && keyFile === "") return undefined;
  if (certFile === "" || keyFile === "") {
    const [given, missing] = certFile === ""
      ? ["--tls-key", "--tls-cert"]
      : ["--tls-cert", "--tls-key"];
    throw new TlsError(`${given} needs ${missing} as well: give both, or neither for HTTP`);
  }
  const [cert, key] = await Promise.all([
    readPem("--tls-cert", certFile),
    readPem("--tls-key", keyFile),
  ]);
  return { cert, key, certFile, keyFile };
}

/** What Deno says of bad TLS files, in the words of the flags. */
function explain(error: unknown, { certFile, keyFile }: TlsFiles): TlsError {
  const message = error instanceof Error ? error.message : String(error);
  if (/no certificates found/i.test(message)) {
    return new TlsError(`Cannot use --tls-cert ${certFile}: it holds no PEM certificate`);
  }
  if (/no keys found/i.test(message)) {
    return new TlsError(`Cannot use --tls-key ${keyFile}: it holds no PEM private key`);
  }
  if (/KeyMismatch|not be consistent/i.test(message)) {
    return new TlsError(
      `Cannot use --tls-key ${keyFile}: it is not the key of the certificate in --tls-cert ${certFile}`,
    );
  }
  return new TlsError(
    `Cannot serve HTTPS with --tls-cert ${certFile} and --tls-key ${keyFile}: ${message}`,
  );
}

/**
 * `Deno.serve`, over TLS when `tls` is given. Throws a `TlsError` when Deno refuses the files
 * (not PEM, or a key that is not the certificate's).
 *
 * @example
 * ```ts ignore
 * const tls = await readTls("/etc/denoqueue/cert.pem", "/etc/denoqueue/key.pem");
 * const server = serve(tls, { port: 8443, hostname: "0.0.0.0" }, app.fetch);
 * ```
 */
export function serve(
  tls: TlsFiles | undefined,
  options: Deno.ServeTcpOptions,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): Deno.HttpServer<Deno.NetAddr> {
  if (tls === undefined) return Deno.serve(options, handler);
  try {
    return Deno.serve({ ...options, cert: tls.cert, key: tls.key }, handler);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) throw error;
    throw explain(error, tls);
  }
}
