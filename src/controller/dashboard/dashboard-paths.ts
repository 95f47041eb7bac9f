/** Where the dashboard's files are served. The page itself is `/`. */
export const DASHBOARD_PATH = '/';
export const DASHBOARD_CSS_PATH = '/ui/dashboard.css';
export const DASHBOARD_JS_PATH = '/ui/dashboard.js';
