/**
 * A mail job that can never succeed however often it runs (unknown template, unreadable secret,
 * malformed payload): the processor discards the job instead of letting Bull retry it.
 */
export class UndeliverableMailError extends Error {
  constructor(reason: string) {
    super(`Undeliverable mail: ${reason}`);
    this.name = 'UndeliverableMailError';
  }
}
