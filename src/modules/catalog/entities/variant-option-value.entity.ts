import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A variant's option values as rows, so the storefront's option filters (`option=colour:red`) use an
 * index; `ProductVariant.optionValues` holds the same values for reading.
 */
@Entity({ name: 'variant_option_values' })
@Index('ix_variant_option_values_lookup', ['name', 'value', 'variantId'])
export class VariantOptionValue {
  @PrimaryColumn({ type: 'char', length: 36, name: 'variant_id' })
  variantId: string;

  @PrimaryColumn({ type: 'varchar', length: 50, name: 'name' })
  name: string;

  @Column({ type: 'varchar', length: 100, name: 'value' })
  value: string;
}
