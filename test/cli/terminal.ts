/**
 * A tiny terminal emulator for the progress tests: enough of a VT100 to
 * replay what `sim` writes to a terminal (printable text with automatic
 * wrapping at the right margin, CR, LF, cursor up `ESC[nA`, erase line
 * `ESC[2K` / `ESC[K`, colour codes ignored) and return what a user would
 * finally see, scrollback included. A line that wraps takes two rows, so a
 * display that loses its place under cursor-up leaves stale rows behind,
 * exactly as on a real terminal.
 */
export interface Screen {
  /** Every row that scrolled off the top, then the screen's rows, trailing blank rows dropped. */
  lines: string[];
  /** The longest run of printable text between two line ends in the raw output (characters). */
  longestWritten: number;
}

/** Replays `output` on a terminal of `columns` × `rows`. */
export function replay(output: string, columns: number, rows: number): Screen {
  const scrollback: string[] = [];
  let screen: string[][] = Array.from({ length: rows }, () => []);
  let row = 0;
  let col = 0;
  // xterm's pending wrap: a character in the last column leaves the cursor
  // there; only the next printable character wraps to a new row.
  let pendingWrap = false;
  const lineFeed = (): void => {
    if (row < rows - 1) row++;
    else {
      scrollback.push(screen[0].join(''));
      screen = [...screen.slice(1), []];
    }
  };
  let longestWritten = 0;
  let run = 0;
  const chars = [...output];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\x1b' && chars[i + 1] === '[') {
      let j = i + 2;
      let params = '';
      while (j < chars.length && /[0-9;?]/.test(chars[j])) params += chars[j++];
      const final = chars[j];
      if (final === 'A') {
        row = Math.max(0, row - (Number(params) || 1));
        pendingWrap = false;
      } else if (final === 'K') {
        if (params === '2') screen[row] = [];
        else screen[row] = screen[row].slice(0, col);
      }
      i = j;
      continue;
    }
    if (c === '\r') {
      col = 0;
      pendingWrap = false;
      run = 0;
    } else if (c === '\n') {
      lineFeed();
      pendingWrap = false;
      run = 0;
    } else if (c >= ' ') {
      if (pendingWrap) {
        col = 0;
        lineFeed();
        pendingWrap = false;
      }
      while (screen[row].length < col) screen[row].push(' ');
      screen[row][col] = c;
      longestWritten = Math.max(longestWritten, ++run);
      if (col === columns - 1) pendingWrap = true;
      else col++;
    }
  }
  const lines = [...scrollback, ...screen.map((r) => r.join(''))].map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return { lines, longestWritten };
}
