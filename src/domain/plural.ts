// Counts in sentences people read: "1 post", "2 posts" (never "1 posts").

/** `count` and the word in the right number: plural(1, 'post') is "1 post", plural(3, 'post') is "3 posts". */
export function plural(count: number | string, word: string, pluralWord = `${word}s`): string {
  return `${count} ${Number(String(count).replace(/,/g, '')) === 1 ? word : pluralWord}`;
}
