/**
 * CSV injection (OWASP "CSV Injection"): a spreadsheet program that opens an export runs a cell that
 * starts with `=`, `+`, `-` or `@` (or a tab or carriage return ahead of one) as a formula, e.g.
 * `=HYPERLINK(…)` or `+cmd|' /C calc'!A0`. A csv target writes such a cell with a leading `'`, which
 * spreadsheets show as text; `+` and `-` are left alone when the rest is a plain number or a phone
 * number (`-5`, `+49 30 1234567`). The reader strips exactly the prefix the writer adds, so a value
 * round-trips unchanged and never shows as drift. A value that itself starts with `'` ahead of one of
 * these gets one more `'`, so the mapping stays reversible.
 * See https://owasp.org/www-community/attacks/CSV_Injection.
 */

const NUMBER = /^[+-]?(\d+([.,]\d+)*|\d*[.,]\d+)([eE][+-]?\d+)?$/;
// A phone number: an optional leading + or -, then digits with spaces, dots, slashes, hyphens, parentheses.
const PHONE = /^[+-]?[\d\s().\/-]*\d[\d\s().\/-]*$/;

function formulaLike(value: string): boolean {
  const first = value[0];
  if (first === '=' || first === '@' || first === '\t' || first === '\r') return true;
  if (first === '+' || first === '-') return !(NUMBER.test(value) || PHONE.test(value));
  return false;
}

/** Would the reader strip a leading `'` from `'` + value? */
function needsPrefix(value: string): boolean {
  return formulaLike(value) || (value.startsWith("'") && needsPrefix(value.slice(1)));
}

/** The cell to write for `value`. */
export function neutralizeFormula(value: string): string {
  return needsPrefix(value) ? `'${value}` : value;
}

/** The value a cell written by neutralizeFormula stands for. */
export function unneutralizeFormula(cell: string): string {
  return cell.startsWith("'") && needsPrefix(cell.slice(1)) ? cell.slice(1) : cell;
}
