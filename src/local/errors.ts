/** A local cluster that cannot start for a reason the user can fix: the CLI prints the message alone, no stack trace. */
export class LocalStartupError extends Error {
  override readonly name = 'LocalStartupError';
}

/** Errno codes of a listen() that failed, said as a user would want to read them. */
export function listenError(error: unknown, host: string, port: number, what: string): Error {
  const code = (error as { code?: string })?.code;
  if (code === 'EADDRINUSE') return new LocalStartupError(`port ${port} is in use — another floe dev? use --port to pick another (${what})`);
  if (code === 'EACCES') return new LocalStartupError(`no permission to listen on port ${port}: use --port with a port above 1023 (${what})`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new LocalStartupError(`cannot listen on ${host}: no such address on this machine; check --host (${what})`);
  return error instanceof Error ? error : new Error(String(error));
}
