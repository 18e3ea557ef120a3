// Every sentence the renderer shows, in one module so the UI can be translated later.
export const STRINGS = {
  title: 'Provisioning Station',
  loading: 'Starting the station…',
  noBridge: 'This page runs outside the desktop app, so the station services are not available.',
  servicesDown: 'The station services did not start.',
  version: (version: string) => `Version ${version}`,
} as const;
