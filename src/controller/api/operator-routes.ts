/**
 * Mounts the operator API (`/api/v1`, its own surface: bearer tokens, JSON problems) and the dashboard
 * (`/` and `/ui/…` on the root surface, text problems) on the controller's router.
 */
import { mountDashboard } from '../dashboard/dashboard-handler.js';
import type { ControllerHttpServer } from '../http-server.js';
import { mountApi } from './api-handler.js';
import type { ControllerPort } from './controller-port.js';

export function mountOperatorRoutes(http: Pick<ControllerHttpServer, 'addRoute' | 'surface'>, port: ControllerPort): void {
  mountApi(http, port);
  mountDashboard(http);
}
