/**
 * Queries per workgroup of the attention kernel. Measured on SwiftShader (MHA H=4, d=32, N=128 and
 * 512, causal and not): 32×32 tiles match or beat 64×32 (up to 1.3× on causal N=512: twice the
 * workgroups to spread over the cores, and one partial tile per diagonal instead of two); key
 * blocks of 16 were slower. Here, outside `kernel/`, because graph building reads it too.
 */
export const QUERY_BLOCK = 32;
