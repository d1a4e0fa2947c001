/**
 * The gallery: every zoo entry (`@weft/zoo`) with its mechanism, paper and description; choosing
 * one calls `onOpen` with the document that opens it (`{ "zoo": <id> }`). The zoo (and with it
 * the compiler) is loaded on its own after the page, so the editor's bundle stays small.
 */
export function gallery(onOpen: (text: string) => void): HTMLElement {
  const list = document.createElement('ul');
  list.className = 'gallery';
  void import('@weft/zoo').then(({ ZOO }) => {
    for (const entry of ZOO) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.entry = entry.id;
      button.textContent = entry.id;
      button.title = `${entry.description}\nPaper ${entry.paper.id} (${entry.paper.group}): ${entry.paper.title}`;
      button.addEventListener('click', () => onOpen(`{ "zoo": ${JSON.stringify(entry.id)} }\n`));
      item.append(button);
      list.append(item);
    }
  });
  return list;
}
