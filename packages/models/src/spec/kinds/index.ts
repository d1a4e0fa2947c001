export * from './architecture-parts.js';
export * from './architecture-spec.js';
export * from './dit-spec.js';
export * from './encoder-decoder-spec.js';
export * from './encoder-spec.js';
export * from './vit-spec.js';
