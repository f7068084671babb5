import type { Query } from '../db/query';
import type { CategoryFacts, CategoryFactsSource } from '../repositories/case-repository';
import { readCategoryFacts } from '../repositories/reference-repository';

interface Copy {
  epoch: number;
  facts: ReadonlyMap<string, CategoryFacts>;
}

/**
 * The categories' facts that a list page's rows take from their category (whether it is sensitive,
 * its service-level targets), held in the service instead of joined into every page (#17,
 * docs/decisions/category-facts.md). A page's statement returns the category epoch of its snapshot;
 * a copy of another epoch is read again first, so a row never gets facts older than itself. The
 * new copy may be newer than the page (a category changed in between): the row then gets the newer
 * facts, as a request that read the category after the case would.
 */
export class CategoryFactsCopy implements CategoryFactsSource {
  private copy: Copy | null = null;
  /** The read in flight: concurrent pages that need a new copy share it. */
  private reading: Promise<Copy> | null = null;

  constructor(private readonly q: Query) {}

  async atLeast(epoch: number): Promise<ReadonlyMap<string, CategoryFacts>> {
    if (this.copy?.epoch === epoch) return this.copy.facts;
    let copy = await this.read();
    // A read already in flight may have begun before the page's snapshot; the next one begins
    // after the page's statement ended, so its snapshot has the page's epoch or a later one.
    if (copy.epoch < epoch) copy = await this.read();
    if (copy.epoch < epoch) throw new Error(`The category epoch went back: ${copy.epoch} read after a page of epoch ${epoch}.`);
    return copy.facts;
  }

  private read(): Promise<Copy> {
    this.reading ??= readCategoryFacts(this.q)
      .then((copy) => {
        // Reads never overlap, so each is newer than the copy held (an epoch lower than its
        // means the database went back, a restore: the facts just read are the ones to hold).
        this.copy = copy;
        return copy;
      })
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }
}
