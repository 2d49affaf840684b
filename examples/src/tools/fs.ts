/** `fs.*`: a small read-only virtual file system (never the real one). */
import type { ToolHandler } from "../sandbox/index.ts";
import { latency, requireString, ToolError } from "./support.ts";

const FILES: Record<string, string> = {
  "/workspace/README.md": "# acme-web\n\nThe storefront. Run `npm start`.\n",
  "/workspace/package.json": JSON.stringify(
    { name: "acme-web", version: "3.14.0", dependencies: { react: "19.1.0", hono: "4.9.0" } },
    null,
    2,
  ),
  "/workspace/src/index.ts": 'import { app } from "./app";\napp.listen(3000);\n',
  "/workspace/data/customers.csv":
    "id,name,plan\n1,Customer A1,free\n2,Customer B2,team\n3,Customer C3,business\n",
  "/workspace/.env.example": "DATABASE_URL=postgres://localhost/acme\n",
  "/etc/hosts": "127.0.0.1 localhost\n",
};
const UNREADABLE = new Set(["/etc/shadow", "/workspace/.env"]);

function normalize(path: string): string {
  if (!path.startsWith("/")) return `/workspace/${path}`.replace(/\/\.\//g, "/");
  return path;
}

export const fsTools: Record<string, ToolHandler> = {
  "fs.read": async (args) => {
    const path = normalize(requireString(args, "path"));
    await latency(`fs.read ${path}`, 2, 25);
    if (UNREADABLE.has(path)) {
      throw new ToolError("PermissionDeniedError", `EACCES: permission denied, open '${path}'`);
    }
    const content = FILES[path];
    if (content === undefined) {
      throw new ToolError("FileNotFoundError", `ENOENT: no such file or directory, open '${path}'`);
    }
    return { path, size: Buffer.byteLength(content), content };
  },

  "fs.list": async (args) => {
    const dir = normalize(requireString(args, "path")).replace(/\/+$/, "");
    await latency(`fs.list ${dir}`, 2, 15);
    const prefix = `${dir}/`;
    const entries = new Set<string>();
    for (const path of Object.keys(FILES)) {
      if (path.startsWith(prefix)) entries.add(path.slice(prefix.length).split("/")[0]!);
    }
    if (entries.size === 0) {
      throw new ToolError(
        "FileNotFoundError",
        `ENOENT: no such file or directory, scandir '${dir}'`,
      );
    }
    return [...entries].sort();
  },
};
