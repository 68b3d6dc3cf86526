/** A bad command line: the message is printed and the command exits with status 2. */
export class UsageError extends Error {}
