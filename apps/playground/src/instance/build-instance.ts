import type { PlaygroundDocument } from '../document/playground-document.js';
import { attentionInstance, attentionSpecInstance } from './attention-instance.js';
import { graphInstance } from './graph-instance.js';
import { modelInstance } from './model-instance.js';
import type { PlaygroundInstance } from './playground-instance.js';
import { zooInstance } from './zoo-instance.js';

/** The graph and data of an editor document, by its kind. */
export function buildInstance(document: PlaygroundDocument): PlaygroundInstance {
  switch (document.kind) {
    case 'attention':
      return attentionInstance(document.json);
    case 'model':
      return modelInstance(document.json);
    case 'zoo':
      return zooInstance(document.id);
    case 'attention-spec':
      return attentionSpecInstance(document.spec);
    case 'graph':
      return graphInstance(document.graph);
  }
}
