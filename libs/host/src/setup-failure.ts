/**
 * A condition of this machine that stops the system from starting and that the user can fix (a port
 * already taken, a folder a process cannot reach). Entry points print its message as one line and
 * exit non-zero: a stack trace would only bury the fix.
 */
export class SetupFailure extends Error {
  override readonly name = 'SetupFailure';
}

export function isSetupFailure(err: unknown): err is SetupFailure {
  return err instanceof Error && err.name === 'SetupFailure';
}
