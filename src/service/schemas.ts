/** Request bodies of the similarity service, validated with zod (unknown keys are rejected). */
import { z } from 'zod';

const itemId = z.union([z.string().min(1, 'an id must be a non-empty string or a number'), z.number()]);
const vector = z.array(z.number()).min(1, 'a vector needs at least one value');
/** An item given by id, or a raw feature vector. */
const itemRef = z.union([itemId, vector]);

export function requestSchemas(limits: { maxK: number; maxBatch: number }) {
  return {
    similar: z
      .object({
        id: itemId.optional(),
        vector: vector.optional(),
        k: z.number().int().min(1).max(limits.maxK).default(Math.min(10, limits.maxK)),
      })
      .strict()
      .refine((b) => (b.id === undefined) !== (b.vector === undefined), { message: 'give exactly one of "id" (an item id) or "vector" (a feature vector)' }),
    pair: z.object({ a: itemRef, b: itemRef }).strict(),
    embed: z.object({ vectors: z.array(vector).min(1).max(limits.maxBatch) }).strict(),
  };
}

/** Turns zod issues into one readable line: `k: Too big: expected number to be <=100; ...`. */
export function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}
