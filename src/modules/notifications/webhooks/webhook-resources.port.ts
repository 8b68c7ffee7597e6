/**
 * What a webhook's body says about the resource an event is about, as the API would return it. The
 * features that own those resources import notifications (to announce events), so notifications
 * cannot import them: they implement this port instead (orders' WebhookResourcesModule, bound in the
 * worker's root).
 */
export interface WebhookResources {
  /** The order as `GET /v1/admin/orders/{id}` returns it, or null when it no longer exists. */
  order(orderId: string): Promise<object | null>;
}

export const WEBHOOK_RESOURCES = Symbol('WEBHOOK_RESOURCES');
