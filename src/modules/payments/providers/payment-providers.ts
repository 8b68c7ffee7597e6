import { Injectable } from '@nestjs/common';
import { UnknownProviderError } from '../payments.errors';
import type { PaymentProvider } from './payment-provider';
import { SandboxProvider } from './sandbox.provider';

/** The card providers Storekeep can talk to, by name (Stripe joins when its adapter lands). */
@Injectable()
export class PaymentProviders {
  private readonly byName: Map<string, PaymentProvider>;

  constructor(sandbox: SandboxProvider) {
    this.byName = new Map<string, PaymentProvider>([[sandbox.name, sandbox]]);
  }

  get(name: string): PaymentProvider {
    const provider = this.byName.get(name);
    if (!provider) throw new UnknownProviderError(name);
    return provider;
  }
}
