/**
 * Mounts the operator API (`/api/v1/`) and the dashboard (`/`) on the controller's route table. `/` is
 * a prefix route, so it only receives what no longer route (/healthz, /readyz, /metrics, /hooks/git,
 * /scim/ …) takes; a path that is neither the API's nor the dashboard's answers 404 as before.
 */
import { createDashboardHandler } from '../dashboard/dashboard-handler.js';
import { API_PREFIX } from '../endpoints.js';
import { sendJson, type ControllerHttpServer } from '../http-server.js';
import { createApiHandler } from './api-handler.js';
import type { ControllerPort } from './controller-port.js';

export function mountOperatorRoutes(http: Pick<ControllerHttpServer, 'addRoute'>, port: ControllerPort): void {
  const api = createApiHandler(port);
  const dashboard = createDashboardHandler();
  http.addRoute('*', API_PREFIX, async (req, res) => {
    if (!(await api(req, res))) sendJson(res, 404, { error: 'not found' });
  });
  http.addRoute('*', '/', async (req, res) => {
    if (!(await dashboard(req, res))) sendJson(res, 404, { error: 'not found' });
  });
}
