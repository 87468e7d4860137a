// One CSV cell writer for every export (audit log, run results).
// OWASP "CSV Injection": a cell that a spreadsheet would read as a formula (leading =, +, -, @, tab or CR)
// gets a leading single quote, and such cells are always quoted so the quote survives as text.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  const s = FORMULA_START.test(value) ? `'${value}` : value;
  return s !== value || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
