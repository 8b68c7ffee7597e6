import { CreatedAtColumn, UpdatedAtColumn } from '@app/database';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A node of the category tree (any depth). */
@Entity({ name: 'categories' })
@Index('uq_categories_slug', ['slug'], { unique: true })
@Index('ix_categories_parent_position', ['parentId', 'position'])
@Index('ix_categories_path', ['path'])
export class Category {
  @PrimaryColumn({ type: 'char', length: 36, name: 'id' })
  id: string;

  @Column({ type: 'char', length: 36, name: 'parent_id', nullable: true })
  parentId: string | null;

  @Column({ type: 'varchar', length: 120, name: 'slug', charset: 'ascii', collation: 'ascii_bin' })
  slug: string;

  @Column({ type: 'varchar', length: 200, name: 'name' })
  name: string;

  /** Order among siblings (ascending). */
  @Column({ type: 'int', name: 'position', default: 0 })
  position: number;

  /**
   * Materialised path of ancestor ids and its own, `/<root>/<child>/.../<self>/`: "this category and
   * every descendant" is one indexed prefix match, whatever the depth.
   */
  @Column({ type: 'varchar', length: 1000, name: 'path', charset: 'ascii', collation: 'ascii_bin' })
  path: string;

  @Column({ type: 'int', unsigned: true, name: 'version', default: 1 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
