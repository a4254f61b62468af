/** Every route the server knows, with its methods, read from Fastify's own route tree (printRoutes). */
export function routesOf(tree: string): { path: string; methods: string[] }[] {
  const stack: string[] = [];
  const routes: { path: string; methods: string[] }[] = [];
  for (const line of tree.split("\n")) {
    const m = /^([\s│]*)[└├]── (\S+) \(([^)]+)\)/.exec(line);
    if (!m) continue;
    const depth = (m[1] ?? "").length / 4;
    stack.length = depth;
    const path = `${stack.at(-1) ?? ""}${m[2] ?? ""}`;
    stack.push(path);
    routes.push({ path: path.replace(/^\/\//, "/"), methods: (m[3] ?? "").split(", ") });
  }
  return routes;
}
