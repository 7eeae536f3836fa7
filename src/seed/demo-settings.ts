/**
 * What `npm run demo` sets where the environment sets nothing: browser apps on the usual
 * local dev-server ports may call the demo gateway (Next.js/CRA 3000, Vite 5173 and its
 * preview 4173, Angular 4200, webpack-dev-server 8080). A production gateway allows no origin
 * unless CORS_ORIGINS names it.
 */
const DEV_PORTS = [3000, 5173, 4173, 4200, 8080];
export const DEMO_CORS_ORIGINS = DEV_PORTS.flatMap((port) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`]);

export const DEMO_SETTING_DEFAULTS: Readonly<Record<string, string>> = { CORS_ORIGINS: DEMO_CORS_ORIGINS.join(",") };
