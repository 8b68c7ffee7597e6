/** The payments queue: webhook events to apply, refunds to make, the sandbox's own deliveries. */
export const PAYMENTS_QUEUE = 'payments';

export const PaymentsJobs = {
  /** Apply a recorded webhook event. Payload: { provider, eventId }. */
  processEvent: 'payments.process-event',
  /** Capture an authorized payment (all or part). Payload: { paymentId, amount }. */
  capture: 'payments.capture',
  /** Release an authorization that will not be captured. Payload: { paymentId }. */
  void: 'payments.void',
  /** Make a refund at the provider. Payload: { refundId }. */
  refund: 'payments.refund',
  /** Repeatable: ask providers about payments stuck pending or authorized. No payload. */
  reconcile: 'payments.reconcile',
  /** The sandbox provider delivering one of its webhook events. Payload: { event }. */
  sandboxDeliver: 'payments.sandbox-deliver',
  /** The sandbox settling a "succeeds after a delay" charge. Payload: { chargeId }. */
  sandboxSettle: 'payments.sandbox-settle',
} as const;

export interface ProcessEventPayload {
  provider: 'manual' | 'sandbox' | 'stripe';
  eventId: string;
}
export interface RefundPayload {
  refundId: string;
}
export interface CapturePayload {
  paymentId: string;
  amount: number;
}
export interface VoidPayload {
  paymentId: string;
}

/** The jobs written to the outbox (the sandbox and the reconciliation add theirs to the queue directly). */
declare module '../outbox/outbox-jobs' {
  interface OutboxJobs {
    [PaymentsJobs.processEvent]: ProcessEventPayload;
    [PaymentsJobs.capture]: CapturePayload;
    [PaymentsJobs.void]: VoidPayload;
    [PaymentsJobs.refund]: RefundPayload;
  }
}
