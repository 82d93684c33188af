/**
 * The dashboard's files by path, for the control server to serve as they are (docs/control.md
 * "Dashboard"). Embedded as strings so the bundle (dist/fc41d.cjs) needs no files beside it and
 * the page needs nothing from the network (no CDN).
 */
import { DASHBOARD_CSS } from './page-css.ts';
import { DASHBOARD_HTML } from './page-html.ts';
import { DASHBOARD_ICON } from './page-icon.ts';
import { DASHBOARD_JS } from './page-js.ts';

export interface DashboardAsset {
  /** The Content-Type to send. */
  type: string;
  body: string;
}

/** Every path here is the server's to serve as it is (GET, the given type). */
export const DASHBOARD_ASSETS: Record<string, DashboardAsset> = {
  '/': { type: 'text/html; charset=utf-8', body: DASHBOARD_HTML },
  '/dashboard.js': { type: 'text/javascript; charset=utf-8', body: DASHBOARD_JS },
  '/dashboard.css': { type: 'text/css; charset=utf-8', body: DASHBOARD_CSS },
  '/favicon.svg': { type: 'image/svg+xml', body: DASHBOARD_ICON },
};
