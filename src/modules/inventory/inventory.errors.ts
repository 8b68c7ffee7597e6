import { DomainError } from '@app/common';

export interface StockShortage {
  variantId: string;
  sku: string | null;
  requested: number;
  available: number;
  reason: 'insufficient-stock' | 'unknown-variant' | 'not-for-sale';
}

/** Some lines cannot be served; nothing was reserved or changed. Names each line. */
export class InsufficientStockError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'insufficient-stock';
  readonly title = 'Not enough stock';
  constructor(readonly shortages: StockShortage[]) {
    super(
      `Not enough stock for ${shortages.map((s) => `${s.sku ?? s.variantId} (requested ${s.requested}, available ${s.available})`).join(', ')}.`,
      { lines: shortages },
    );
  }
}

export class LocationNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'location-not-found';
  readonly title = 'Stock location not found';
  constructor(id: string) {
    super(`There is no stock location ${JSON.stringify(id)}.`);
  }
}

export class UnknownVariantError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'unknown-variant';
  readonly title = 'Unknown variant';
  constructor(id: string) {
    super(`There is no variant ${JSON.stringify(id)}.`);
  }
}

export class ReservationNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly type = 'reservation-not-found';
  readonly title = 'Reservation not found';
  constructor(id: string) {
    super(`There is no reservation ${JSON.stringify(id)}.`);
  }
}

export class ReservationStateError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'reservation-state';
  readonly title = 'The reservation cannot do that in its state';
  constructor(detail: string) {
    super(detail);
  }
}

/** The same reference was reserved before with other lines: an idempotent retry must repeat them. */
export class ReservationMismatchError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'reservation-mismatch';
  readonly title = 'Reference already reserved with other lines';
  constructor(reference: string) {
    super(`Reference ${JSON.stringify(reference)} already holds a reservation with different lines.`);
  }
}

export class InvalidMovementError extends DomainError {
  readonly kind = 'invalid';
  readonly type = 'invalid-movement';
  readonly title = 'Invalid stock movement';
  constructor(detail: string) {
    super(detail);
  }
}

export class LocationCodeTakenError extends DomainError {
  readonly kind = 'conflict';
  readonly type = 'location-code-taken';
  readonly title = 'Location code already in use';
  constructor(code: string) {
    super(`The location code ${JSON.stringify(code)} is already used.`);
  }
}
