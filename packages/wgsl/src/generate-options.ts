/** Code-generation choices that are not device facts. */
export interface GenerateOptions {
  /**
   * Row reductions combine with subgroup operations when the profile has `subgroups`
   * (default `false`: the workgroup-memory tree).
   */
  readonly subgroupReductions?: boolean;
  /**
   * Access mode declared for input bindings (default `read`). Use `read_write` when inputs and
   * outputs are ranges of one buffer (an arena): WebGPU rejects a dispatch that binds one buffer
   * both writable and read-only, while several writable bindings of it are allowed. Inputs are
   * only ever read either way.
   */
  readonly inputAccess?: 'read' | 'read_write';
}
