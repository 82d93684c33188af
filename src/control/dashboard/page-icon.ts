/** The dashboard's icon (`/favicon.svg`): a module's outline, so the tab is not a 404 in the console. */
export const DASHBOARD_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect x="1.5" y="1.5" width="13" height="13" rx="2" fill="#1d232b" stroke="#9cc3ff"/><path d="M4 11V5h3M4 8h2.5M9 5v6h3" fill="none" stroke="#fff" stroke-width="1.5"/></svg>
`;
