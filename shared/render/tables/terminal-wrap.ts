/**
 * Long lines of text made to fit a terminal: words wrapped at the width, continuation lines indented under their
 * first, and a shell command (`aws ec2 …`) continued with ` \` so it can still be pasted as it is.
 */

/** Width of a line as a terminal shows it: code points (box drawing, arrows and `✓` take one column each). */
function columns(line: string): number {
  return Array.from(line).length;
}

/** One long line as lines of at most `width` columns; a single word longer than that stays whole. */
function wrapLine(line: string, width: number): string[] {
  if (columns(line) <= width) return [line];
  const indent = /^ */.exec(line)![0];
  const command = line.trimStart().startsWith('aws ');
  const more = command ? `${indent}    ` : indent.length > 0 ? `${indent}  ` : '';
  const tail = command ? ' \\' : '';
  const lines: string[] = [];
  let current = indent;
  for (const word of line.trimStart().split(' ')) {
    const start = current.trim() === '';
    const candidate = start ? `${current}${word}` : `${current} ${word}`;
    if (!start && columns(candidate) + tail.length > width) {
      lines.push(`${current}${tail}`);
      current = `${more}${word}`;
    } else {
      current = candidate;
    }
  }
  lines.push(current);
  return lines;
}

/**
 * Every line of `text` wrapped to `width` columns.
 *
 * @example wrapText('  Reason: ' + 'word '.repeat(40), 30) // lines of at most 30 columns, continued 4 spaces in
 */
function wrapText(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => wrapLine(line, width))
    .join('\n');
}

export { columns, wrapText };
