import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';
import { UnknownProviderError } from '../payments.errors';
import type { PaymentProvider } from './payment-provider';
import { SandboxProvider } from './sandbox.provider';
import { StripeProvider } from './stripe.provider';

/**
 * The card providers Storekeep talks to, by name: the sandbox always (its webhooks may still arrive
 * after a shop moves to Stripe), Stripe when it has a key.
 */
@Injectable()
export class PaymentProviderRegistry {
  private readonly byName: Map<string, PaymentProvider>;

  constructor(sandbox: SandboxProvider, config: AppConfig) {
    this.byName = new Map<string, PaymentProvider>([[sandbox.name, sandbox]]);
    if (config.payments.stripeSecretKey) {
      const stripe = new StripeProvider(config);
      this.byName.set(stripe.name, stripe);
    }
  }

  get(name: string): PaymentProvider {
    const provider = this.byName.get(name);
    if (!provider) throw new UnknownProviderError(name);
    return provider;
  }
}
