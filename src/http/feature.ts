/** The HTTP(S) command group (§2.6, §3.6): GET, POST, PUT and READ over real HTTP. */
import type { Feature } from '../feature/feature.ts';
import { httpCommands } from './commands.ts';
import { reportHttp } from './reports.ts';
import { HttpService } from './service.ts';

export const http: Feature<HttpService> = {
  name: 'http',
  sections: '2.6, 3.6',
  create: (host) => {
    const service = new HttpService(host);
    reportHttp(service, host);
    return service;
  },
  commands: httpCommands,
  saved: (service) => service.saved,
};
