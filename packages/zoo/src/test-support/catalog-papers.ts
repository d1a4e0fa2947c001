import type { CatalogGroup } from '../zoo-entry.js';

/**
 * Paper numbers of `shared/catalog/papers-01-40.md`, `papers-41-80.md` and `papers-81-119.md`, from
 * their `## N. Title` headings (papers 3 and 4 share one heading). Copied so that tests do not read
 * outside the repository.
 */
export const CATALOG_PAPER_IDS: ReadonlySet<number> = new Set(
  Array.from({ length: 119 }, (_, index) => index + 1),
);

/** The papers each capability group lists in `shared/catalog/README.md` (the groups the zoo uses). */
export const CATALOG_GROUP_PAPERS: Readonly<Partial<Record<CatalogGroup, readonly number[]>>> = {
  G1: [5, 12, 24, 39, 40, 41, 47, 53, 54, 60, 71, 51, 74, 75, 84, 99, 18],
  G2: [2, 8, 21, 23, 26, 49, 63, 64, 66, 69, 76, 83, 90, 113, 114],
  G3: [1, 3, 4, 5, 12, 19, 28, 34, 61, 85, 110],
  G4: [16, 17, 19, 22, 26, 49, 63, 70, 78, 81, 89, 97, 100, 103, 109, 111],
  G5: [6, 10, 13, 15, 20, 32, 36, 37, 43, 46, 50, 52, 55, 57, 58, 62, 68, 73, 98, 108],
  G6: [11, 18, 25, 29, 30, 31, 35, 59, 65, 66, 77, 82, 86, 93, 94, 99, 105, 106, 114, 115, 119],
};
