// A line diff (longest common subsequence) for showing how a rule list or a rollout changes. Flag
// states are small — tens of lines — so the quadratic table is cheaper than anything cleverer.

export type DiffLine = { op: ' ' | '-' | '+'; text: string };

export function diffLines(before: string[], after: string[]): DiffLine[] {
  const rows = before.length;
  const cols = after.length;
  // common[i][j]: length of the longest common subsequence of before[i..] and after[j..]
  const common = Array.from({ length: rows + 1 }, () => new Array<number>(cols + 1).fill(0));
  for (let i = rows - 1; i >= 0; i--) {
    for (let j = cols - 1; j >= 0; j--) {
      common[i]![j] = before[i] === after[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < rows || j < cols) {
    if (i < rows && j < cols && before[i] === after[j]) {
      lines.push({ op: ' ', text: before[i]! });
      i++;
      j++;
    } else if (i < rows && (j === cols || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      // On a tie, removals come first: "- old" above "+ new" reads as a replacement.
      lines.push({ op: '-', text: before[i]! });
      i++;
    } else {
      lines.push({ op: '+', text: after[j]! });
      j++;
    }
  }
  return lines;
}
