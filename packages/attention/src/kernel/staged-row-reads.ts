/** How a helper reads one row of a staged K or V tile as vec4s. */
export interface StagedRowReads {
  /** Statements before the reads (the row's base index, each lane's part of the row). */
  readonly lines: string[];
  /** WGSL of vec4 `vector` of the row (f32). */
  vector(vector: number): string;
}

/**
 * The reads of row `j` of workgroup tile `tile` (`vectors` vec4s per row). Without `lanes`, every
 * invocation reads each vec4 itself. With `lanes` (the subgroup's size, known exactly, and the
 * workgroup one full subgroup), the subgroup reads the row together: lane l reads vec4s l, l +
 * lanes, … and each vec4 reaches the others by `subgroupBroadcast` — one read per `lanes` vec4s
 * instead of one per vec4. On SwiftShader every read of workgroup memory is a per-lane gather and
 * a broadcast a register shuffle (see `SHARED_READ_GAIN`). `lane` must be in scope; the reads
 * must run in uniform control flow.
 */
export function stagedRowReads(
  tile: string,
  j: string,
  vectors: number,
  name: string,
  widen: (value: string) => string,
  lanes?: number,
): StagedRowReads {
  if (lanes === undefined) {
    return {
      lines: vectors === 1 ? [] : [`let ${name}_base = ${j} * ${vectors};`],
      vector: (vector) =>
        widen(`${tile}[${vectors === 1 ? j : vector === 0 ? `${name}_base` : `${name}_base + ${vector}`}]`),
    };
  }
  const parts = Math.ceil(vectors / lanes);
  return {
    lines: [
      `let ${name}_base = ${j} * ${vectors};`,
      ...Array.from({ length: parts }, (_, part) => {
        const chunk = part === 0 ? 'i32(lane)' : `i32(lane) + ${part * lanes}`;
        // A lane past the row's last vec4 reads that one (in bounds; no lane takes it).
        const index = (part + 1) * lanes > vectors ? `min(${chunk}, ${vectors - 1})` : chunk;
        return `let ${name}_part_${part} = ${widen(`${tile}[${name}_base + ${index}]`)};`;
      }),
    ],
    vector: (vector) => `subgroupBroadcast(${name}_part_${Math.floor(vector / lanes)}, ${vector % lanes}u)`,
  };
}
