// The public surface of the promotions feature: what other features, the process roots and the
// tools may import. Anything not named here is internal (the dependency rule in .dependency-cruiser.cjs).
export { PromotionRedemptionsService } from './promotion-redemptions.service';
export { PromotionsCoreModule } from './promotions-core.module';
export type { PromotionRule } from './promotion-terms';
export { PromotionsModule } from './promotions.module';
