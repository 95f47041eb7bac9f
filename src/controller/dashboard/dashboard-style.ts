/** The dashboard's stylesheet: system fonts, no external resources, WCAG AA contrast for text. */
export const DASHBOARD_CSS = `:root {
  --fg: #1d2430; --muted: #525c6b; --bg: #f4f6f9; --card: #fff; --line: #d9dee6; --accent: #1f5fbf;
  --ok: #1b6e3a; --ok-bg: #e3f4e9; --warn: #7a4d00; --warn-bg: #fdf0d5; --bad: #a4161a; --bad-bg: #fde4e4; --none: #4a5260; --none-bg: #eceef2;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #f0b400; outline-offset: 2px; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.92em; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 6px 10px; }
.skip:focus { left: 8px; z-index: 10; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 18px; padding: 10px 20px; background: #14213d; color: #fff; }
.bar p { margin: 0; }
.bar a { color: #fff; text-decoration: none; }
.brand { font-weight: 700; font-size: 1.1em; }
.bar .meta { flex: 1; color: #d6dcea; }
.bar .updated { color: #d6dcea; font-size: 0.9em; }
.bar button { background: transparent; color: #fff; border: 1px solid #8e9bb8; }
main { max-width: 1280px; margin: 0 auto; padding: 16px 20px 40px; }
main:focus { outline: none; }
h1 { font-size: 1.45em; margin: 8px 0 12px; }
h2 { font-size: 1.15em; margin: 0 0 10px; }
h3 { font-size: 1em; margin: 14px 0 6px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 0 0 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); gap: 0 16px; }
.login { max-width: 460px; margin: 60px auto; }
.login form { display: grid; gap: 8px; }
input, select, button { font: inherit; padding: 6px 10px; border-radius: 6px; border: 1px solid #8a94a6; background: #fff; color: var(--fg); }
button { cursor: pointer; background: var(--accent); border-color: var(--accent); color: #fff; }
button.small { padding: 2px 10px; font-size: 0.88em; white-space: nowrap; }
button:disabled { cursor: default; opacity: 0.55; }
.since { color: var(--muted); font-size: 0.88em; white-space: nowrap; }
.error { color: var(--bad); min-height: 1.2em; margin: 0; }
#notice:not(:empty) { max-width: 1280px; margin: 12px auto 0; padding: 8px 14px; border-radius: 6px; background: var(--warn-bg); color: var(--warn); }
.search { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 0 0 14px; }
.search label { font-weight: 600; }
.search input { min-width: 16em; }
table { width: 100%; border-collapse: collapse; font-size: 0.95em; }
caption { text-align: left; font-weight: 600; padding: 0 0 6px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { color: var(--muted); font-weight: 600; font-size: 0.88em; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { color: #8a93a3; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.85em; font-weight: 600; white-space: nowrap; }
.badge.ok { color: var(--ok); background: var(--ok-bg); }
.badge.warn { color: var(--warn); background: var(--warn-bg); }
.badge.bad { color: var(--bad); background: var(--bad-bg); }
.badge.none { color: var(--none); background: var(--none-bg); }
.alert { border-left: 5px solid var(--bad); background: var(--bad-bg); }
.alert.warn { border-left-color: #c98a00; background: var(--warn-bg); }
.alert h2 { color: var(--bad); }
.alert.warn h2 { color: var(--warn); }
.alert ul { margin: 6px 0 0; padding-left: 20px; }
.muted { color: var(--muted); }
.summary { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; }
.summary div { min-width: 9em; }
.summary dt { color: var(--muted); font-size: 0.85em; }
.summary dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.errors { margin: 4px 0 0; padding-left: 18px; color: var(--bad); }
.wrap { overflow-x: auto; }
@media (max-width: 700px) { .grid { grid-template-columns: 1fr; } }
`;
