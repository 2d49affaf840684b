/**
 * docker-compose.yml, the Dockerfile and grafana/ checked against each other and against the
 * code, without a docker engine: every service, port, image, mount, URL and variable they
 * name must exist, and every runtrace setting must be one the code reads and accepts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveClickHouseConfig } from "@runtrace/clickhouse";
import { resolveCollectorConfig } from "@runtrace/collector";
import { resolveQueryApiConfig } from "@runtrace/query-api";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** The Dockerfile's stages, each from its FROM line to the next. */
const dockerStages = () =>
  read("Dockerfile")
    .split(/^(?=FROM )/m)
    .filter((part) => part.startsWith("FROM "));

type Env = Record<string, string>;
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** Compose's variable interpolation (`$$`, `${X}`, `${X:-default}`, `${X-default}`). */
function interpolate(text: string, env: Env): string {
  return text.replace(
    /\$\$|\$\{(\w+)(?:(:?-)([^}]*))?\}|\$(\w+)/g,
    (whole, name, op, fallback, bare) => {
      if (whole === "$$") return "$";
      const key = (name ?? bare) as string;
      const value = env[key];
      if (op === ":-") return value ? value : (fallback as string);
      if (op === "-") return value ?? (fallback as string);
      if (value === undefined) throw new Error(`${key} is used without a default: ${whole}`);
      return value;
    },
  );
}

function interpolateAll<T>(value: T, env: Env): T {
  if (typeof value === "string") return interpolate(value, env) as T;
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]),
    ) as T;
  }
  return value;
}

/** The compose file as `docker compose config` would see it with the given shell variables. */
function loadCompose(env: Env = {}): Compose {
  return interpolateAll(parse(read("docker-compose.yml"), { merge: true }) as Compose, env);
}

/** How README's Jaeger instructions run it. */
const JAEGER_PROFILE_ENV: Env = { RUNTRACE_FORWARD_OTLP_ENDPOINT: "http://jaeger:4318" };

const compose = loadCompose();
const services = compose.services;
const runtraceServices = Object.entries(services).filter(([, s]) => s.build !== undefined);

function envOf(service: Service): Env {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, v === null ? "" : String(v)]),
  );
}

/** Container ports that the third-party images listen on by default. */
const IMAGE_PORTS: Record<string, number[]> = {
  "clickhouse/clickhouse-server": [8123, 9000],
  "grafana/grafana": [3000],
  "jaegertracing/jaeger": [16686, 4317, 4318],
};

const imageName = (image: string) => image.slice(0, image.lastIndexOf(":"));

/** The port a service's process listens on, as its own configuration parser resolves it. */
function listeningPorts(name: string, service: Service): number[] {
  if (service.image && !service.build) return IMAGE_PORTS[imageName(service.image)] ?? [];
  const env = envOf(service);
  switch (service.command?.[0]) {
    case "collector":
      return collectorPorts(env);
    case "query-api":
      return [resolveQueryApiConfig(env).port];
    case "start":
      return [...collectorPorts(env), resolveQueryApiConfig(env).port];
    case "migrate":
      return [];
    default:
      throw new Error(`${name}: unknown runtrace command ${service.command?.[0]}`);
  }
}

/** The collector's OTLP/HTTP port, then its OTLP/gRPC port unless it is off. */
function collectorPorts(env: Record<string, string>): number[] {
  const config = resolveCollectorConfig({}, env);
  return config.grpcPort === null ? [config.port] : [config.port, config.grpcPort];
}

function publishedPorts(service: Service): { host: number; container: number }[] {
  return (service.ports ?? []).map((spec) => {
    const parts = spec.split(":");
    return { host: Number(parts.at(-2)), container: Number(parts.at(-1)) };
  });
}

/** Every `.ts` source file (tests excluded) of the workspaces that run in the image. */
function sourceFiles(): string[] {
  const roots = ["packages", "cli/src", "collector/src", "query-api/src"].map((p) => join(ROOT, p));
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (entry === "node_modules" || entry === "test") continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".ts") && !path.endsWith(".test.ts")) out.push(path);
    }
  };
  for (const root of roots) walk(root);
  return out;
}

/** Variables the code reads (`env.X`, `env["X"]`), comments left out. */
function variablesReadByCode(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles()) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const code = line.trim();
      if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) continue;
      for (const m of code.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)|\["([A-Z][A-Z0-9_]*)"\])/g)) {
        names.add(m[1] ?? m[2]!);
      }
    }
  }
  return names;
}

/** The variables README's "Configuration" section lists in its tables. */
function variablesInReadme(): Set<string> {
  const readme = read("README.md");
  const start = readme.indexOf("\n## Configuration");
  expect(start, "README has a ## Configuration section").toBeGreaterThan(-1);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return new Set([...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]!));
}

const isRuntraceSetting = (key: string) => key.startsWith("RUNTRACE_") || key === "CLICKHOUSE_URL";

function grafanaFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir))) {
      const path = `${dir}/${entry}`;
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk("grafana/provisioning");
  return out;
}

interface DataSource {
  name: string;
  uid: string;
  type: string;
  url?: string;
  jsonData?: Record<string, unknown> & { traces?: Record<string, unknown> };
  secureJsonData?: Record<string, string>;
}
const provisioning = grafanaFiles().map((path) => ({
  path,
  doc: parse(read(path)) as {
    apiVersion: number;
    datasources?: DataSource[];
    providers?: { options: { path: string } }[];
  },
}));
const dataSources = provisioning.flatMap((p) => p.doc.datasources ?? []);
const dataSource = (type: string) => {
  const found = dataSources.filter((d) => d.type === type);
  expect(found, `one ${type} data source`).toHaveLength(1);
  return found[0]!;
};

/** `host:/container` bind mounts of a service, resolved against the repository. */
function bindMounts(service: Service): { source: string; target: string }[] {
  return (service.volumes ?? [])
    .filter((v) => v.startsWith("./") || v.startsWith("../"))
    .map((v) => {
      const [source, target] = v.split(":");
      return { source: join(ROOT, source!), target: target! };
    });
}

/** The host path a container path is mounted from, if any bind mount covers it. */
function hostPathOf(service: Service, containerPath: string): string | undefined {
  for (const { source, target } of bindMounts(service)) {
    if (containerPath === target || containerPath.startsWith(`${target}/`)) {
      return join(source, containerPath.slice(target.length));
    }
  }
  return undefined;
}

describe("docker-compose.yml", () => {
  it("pins every pulled image to an exact version, never latest", () => {
    const pulled = Object.entries(services).filter(([, s]) => !s.build);
    expect(pulled.map(([name]) => name).sort()).toEqual(["clickhouse", "grafana", "jaeger"]);
    for (const [name, service] of pulled) {
      expect(service.image, name).toMatch(/^[a-z0-9./-]+:\d+\.\d+\.\d+(\.\d+)?$/);
    }
    expect(services.clickhouse!.image).toMatch(/^clickhouse\/clickhouse-server:2[56]\./);
    expect(envOf(services.grafana!).GF_PLUGINS_PREINSTALL_SYNC).toMatch(
      /^grafana-clickhouse-datasource@\d+\.\d+\.\d+$/,
    );
    // Every stage on the same pinned Node image.
    const bases = dockerStages().map((stage) => /^FROM (\S+)/.exec(stage)![1]);
    expect(new Set(bases).size).toBe(1);
    expect(bases[0]).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
  });

  it("builds runtrace from the Dockerfile and runs real `runtrace` subcommands", () => {
    const commands = [...read("cli/src/main.ts").matchAll(/case "([a-z-]+)":/g)].map((m) => m[1]);
    expect(runtraceServices.map(([name]) => name).sort()).toEqual([
      "collector",
      "migrate",
      "query-api",
    ]);
    for (const [name, service] of runtraceServices) {
      const context = typeof service.build === "string" ? service.build : service.build!.context!;
      const dockerfile =
        typeof service.build === "string"
          ? "Dockerfile"
          : (service.build!.dockerfile ?? "Dockerfile");
      expect(existsSync(join(ROOT, context, dockerfile)), `${name}: ${dockerfile}`).toBe(true);
      expect(commands, name).toContain(service.command?.[0]);
      expect(service.command, name).toHaveLength(1);
    }
    const dockerfile = read("Dockerfile");
    // The image runs the installed package's compiled command, whose bin it is.
    const cli = JSON.parse(read("cli/package.json")) as {
      name: string;
      bin: Record<string, string>;
    };
    expect(cli.bin.runtrace).toBe("./dist/runtrace.js");
    expect(dockerfile).toMatch(
      /^ENTRYPOINT \["node", "\/app\/node_modules\/@runtrace\/cli\/dist\/runtrace\.js"\]$/m,
    );
    expect(dockerfile).toMatch(/^CMD \["start"\]$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/RUNTRACE_HOST=0\.0\.0\.0/);
    // npm ci needs the manifest of every workspace the lock file names, in every stage that
    // runs it, copied before it runs.
    const { workspaces } = JSON.parse(read("package.json")) as { workspaces: string[] };
    expect(workspaces).toContain("query-api/ui");
    const installing = dockerStages().filter((stage) => /^RUN npm ci\b/m.test(stage));
    expect(installing).toHaveLength(1);
    for (const stage of installing) {
      const install = stage.search(/^RUN npm ci\b/m);
      for (const workspace of workspaces) {
        const copy = stage.indexOf(`COPY ${workspace}/package.json ${workspace}/`);
        expect(copy, `${workspace}/package.json`).toBeGreaterThan(-1);
        expect(copy, `${workspace}/package.json before npm ci`).toBeLessThan(install);
      }
    }
    // Sources from the build context must exist; --from=<stage> copies are checked below.
    for (const m of dockerfile.matchAll(/^COPY (?!--from=)(.+) \S+$/gm)) {
      for (const source of m[1]!.split(" ")) {
        expect(existsSync(join(ROOT, source)), `COPY source ${source}`).toBe(true);
      }
    }
  });

  it("builds the page and packs the CLI in a stage with the dev dependencies; the image installs only the tarball", () => {
    const stages = dockerStages();
    expect(stages).toHaveLength(2);
    const [build, runtime] = stages as [string, string];
    expect(build).toMatch(/^FROM \S+ AS build$/m);
    // The build stage installs everything (Vite and esbuild are dev dependencies), builds the
    // page, then packs the CLI (its prepack script bundles it with the page).
    expect(build).toMatch(/^RUN npm ci\b(?!.*--omit)/m);
    expect(build).toMatch(/^RUN npm run build\b/m);
    const { scripts } = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    expect(scripts.build).toBe("node scripts/build-ui.mjs");
    expect(existsSync(join(ROOT, "scripts/build-ui.mjs"))).toBe(true);
    const ui = JSON.parse(read("query-api/ui/package.json")) as { scripts: Record<string, string> };
    // The page, then the renderer of its first screen (dist-server), which the CLI carries too.
    expect(ui.scripts.build).toBe("vite build && vite build --ssr src/first-screen/server.tsx");
    expect(read("scripts/build-ui.mjs")).toContain('"--ssr", "src/first-screen/server.tsx"');
    expect(read("scripts/build-cli.mjs")).toContain("runs-first-screen/");
    const cli = JSON.parse(read("cli/package.json")) as { scripts: Record<string, string> };
    expect(cli.scripts.prepack).toBe("node ../scripts/build-cli.mjs");
    expect(existsSync(join(ROOT, "scripts/build-cli.mjs"))).toBe(true);
    const packing = /npm pack --workspace @runtrace\/cli --pack-destination (\S+)/.exec(build);
    expect(packing).not.toBeNull();
    expect(build.indexOf("npm pack")).toBeGreaterThan(build.indexOf("RUN npm run build"));
    // The image: no sources and no workspaces, only the tarball from the build stage,
    // installed without dev dependencies or install scripts.
    const workdir = (stage: string) => /^WORKDIR (\S+)$/m.exec(stage)?.[1];
    expect(workdir(build)).toBe("/app");
    expect(workdir(runtime)).toBe("/app");
    expect(runtime).not.toMatch(/^COPY (?!--from=)/m);
    expect(runtime).not.toMatch(/^RUN npm ci\b/m);
    const copies = [...runtime.matchAll(/^COPY --from=(\S+) (\S+) (\S+)$/gm)];
    expect(copies.map((m) => [m[1], m[2]])).toEqual([["build", `${packing![1]}/runtrace-cli.tgz`]]);
    const tarball = copies[0]![3]!;
    expect(runtime).toContain(
      `npm install --omit=dev --ignore-scripts --no-audit --no-fund ${tarball}`,
    );
  });

  it("keeps node_modules, data, .git and a host-built /runs page out of the build context", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((l) => l.trim());
    for (const entry of [
      "node_modules",
      "**/node_modules",
      "data",
      ".git",
      "bench/tmp",
      "query-api/ui/dist",
    ]) {
      expect(ignored).toContain(entry);
    }
  });

  it("depends only on services it declares, with conditions they can meet", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = services[dependency];
        expect(target, `${name} depends on ${dependency}`).toBeDefined();
        // A service outside a profile cannot wait for one that may not run.
        if (!service.profiles) expect(target!.profiles, `${dependency}`).toBeUndefined();
        if (condition === "service_healthy") {
          expect(target!.healthcheck, `${dependency} has a health check`).toBeDefined();
        } else {
          expect(condition).toBe("service_completed_successfully");
          expect(target!.restart, `${dependency} runs once`).toBe("no");
        }
      }
    }
    // Migrations run once, before the processes that would otherwise race to apply them.
    for (const name of ["collector", "query-api"]) {
      expect(services[name]!.depends_on).toEqual({
        migrate: { condition: "service_completed_successfully" },
      });
    }
    expect(services.migrate!.depends_on).toEqual({ clickhouse: { condition: "service_healthy" } });
    expect(Object.keys(services.grafana!.depends_on ?? {}).sort()).toEqual([
      "clickhouse",
      "query-api",
    ]);
  });

  it("publishes each host port once, to a port the service listens on; health checks ask /readyz there", () => {
    const hostPorts = new Map<number, string>();
    for (const [name, service] of Object.entries(services)) {
      const listening = listeningPorts(name, service);
      for (const { host, container } of publishedPorts(service)) {
        expect(listening, `${name} publishes ${container}`).toContain(container);
        expect(hostPorts.get(host), `host port ${host}`).toBeUndefined();
        hostPorts.set(host, name);
      }
    }
    expect(Object.fromEntries(hostPorts)).toEqual({
      8123: "clickhouse",
      4318: "collector",
      4317: "collector",
      8080: "query-api",
      3000: "grafana",
      16686: "jaeger",
    });
    for (const name of ["collector", "query-api"]) {
      const service = services[name]!;
      const [port] = listeningPorts(name, service);
      const check = service.healthcheck!.test.join(" ");
      expect(check).toContain(`fetch('http://127.0.0.1:${port}/readyz')`);
      expect(check).toContain("process.exit(r.ok ? 0 : 1)");
    }
    expect(services.clickhouse!.healthcheck!.test.join(" ")).toContain(
      "http://127.0.0.1:8123/ping",
    );
  });

  it("sets only RUNTRACE_* variables the code reads, with values its parsers accept", () => {
    const readByCode = variablesReadByCode();
    expect(readByCode).toContain("CLICKHOUSE_URL");
    expect(readByCode).toContain("RUNTRACE_FORWARD_OTLP_ENDPOINT");
    for (const env of [{}, JAEGER_PROFILE_ENV]) {
      for (const [name, service] of Object.entries(loadCompose(env).services)) {
        const vars = envOf(service);
        for (const key of Object.keys(vars).filter(isRuntraceSetting)) {
          expect(readByCode, `${name} sets ${key}`).toContain(key);
        }
        if (!service.build) continue;
        // The parsers throw on a value runtrace would refuse at start-up.
        expect(resolveClickHouseConfig({}, vars).url, name).toBe(vars.CLICKHOUSE_URL);
        const collector = resolveCollectorConfig({}, vars);
        resolveQueryApiConfig(vars);
        if (name === "collector") {
          expect(collector.forwardEndpoint).toBe(env.RUNTRACE_FORWARD_OTLP_ENDPOINT);
          expect(collector.forwardSignals).toEqual(["traces"]);
        }
        expect(vars.RUNTRACE_HOST, name).toBe("0.0.0.0");
      }
    }
    // One retention for every process: each applies its own at start.
    const retention = new Set(runtraceServices.map(([, s]) => envOf(s).RUNTRACE_RETENTION_DAYS));
    expect(retention.size).toBe(1);
  });

  it("documents every RUNTRACE_* variable it sets in README's configuration table", () => {
    const documented = variablesInReadme();
    const missing = new Set<string>();
    for (const env of [{}, JAEGER_PROFILE_ENV]) {
      for (const service of Object.values(loadCompose(env).services)) {
        for (const key of Object.keys(envOf(service)).filter(isRuntraceSetting)) {
          if (!documented.has(key)) missing.add(key);
        }
      }
    }
    expect([...missing]).toEqual([]);
  });

  it("points every URL at a service of this file, with the credentials ClickHouse is given", () => {
    const clickhouse = envOf(services.clickhouse!);
    for (const [name, service] of runtraceServices) {
      const url = new URL(envOf(service).CLICKHOUSE_URL!);
      expect(url.hostname, name).toBe("clickhouse");
      expect(listeningPorts("clickhouse", services.clickhouse!)).toContain(Number(url.port));
      expect(decodeURIComponent(url.username)).toBe(clickhouse.CLICKHOUSE_USER);
      expect(decodeURIComponent(url.password)).toBe(clickhouse.CLICKHOUSE_PASSWORD);
      expect(url.pathname).toBe(`/${clickhouse.CLICKHOUSE_DB}`);
    }
    // The documented Jaeger set-up: the collector's copies go to the jaeger service's OTLP port.
    const forward = new URL(
      envOf(loadCompose(JAEGER_PROFILE_ENV).services.collector!).RUNTRACE_FORWARD_OTLP_ENDPOINT!,
    );
    expect(services[forward.hostname]?.profiles).toEqual(["jaeger"]);
    expect(listeningPorts(forward.hostname, services[forward.hostname]!)).toContain(
      Number(forward.port),
    );
    expect(read("docker-compose.yml")).toContain(
      "RUNTRACE_FORWARD_OTLP_ENDPOINT=http://jaeger:4318 docker compose --profile jaeger up",
    );
    // Grafana's data sources reach the query API and ClickHouse by service name.
    const queryApiPort = listeningPorts("query-api", services["query-api"]!)[0];
    expect(dataSource("jaeger").url).toBe(`http://query-api:${queryApiPort}`);
    expect(dataSource("tempo").url).toBe(`http://query-api:${queryApiPort}/tempo`);
    const ch = dataSource("grafana-clickhouse-datasource");
    expect(ch.jsonData).toMatchObject({
      host: "clickhouse",
      protocol: "http",
      username: clickhouse.CLICKHOUSE_USER,
      defaultDatabase: clickhouse.CLICKHOUSE_DB,
    });
    expect(listeningPorts("clickhouse", services.clickhouse!)).toContain(ch.jsonData!.port);
    expect(ch.secureJsonData?.password).toBe(clickhouse.CLICKHOUSE_PASSWORD);
  });

  it("mounts files and folders that exist, and declares its named volumes", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(":");
        if (source!.startsWith(".")) {
          expect(existsSync(join(ROOT, source!)), `${name} mounts ${source}`).toBe(true);
        } else {
          expect(Object.keys(compose.volumes ?? {}), `${name}: volume ${source}`).toContain(source);
        }
      }
    }
    const grafana = services.grafana!;
    expect(hostPathOf(grafana, "/etc/grafana/provisioning")).toBe(
      join(ROOT, "grafana/provisioning"),
    );
    const home = envOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    expect(hostPathOf(grafana, home)).toBe(join(ROOT, "grafana/dashboards/executions.json"));
    const providers = provisioning.flatMap((p) => p.doc.providers ?? []);
    expect(providers).toHaveLength(1);
    const dashboards = hostPathOf(grafana, providers[0]!.options.path);
    expect(dashboards && relative(ROOT, dashboards)).toBe("grafana/dashboards");
    expect(readdirSync(dashboards!)).toEqual(["executions.json"]);
  });
});

describe("Grafana provisioning", () => {
  it("parses every provisioning file as YAML with apiVersion 1", () => {
    expect(provisioning.map((p) => p.path).sort()).toEqual([
      "grafana/provisioning/dashboards/runtrace.yml",
      "grafana/provisioning/datasources/runtrace.yml",
    ]);
    for (const { path, doc } of provisioning) expect(doc.apiVersion, path).toBe(1);
  });

  it("provisions ClickHouse in OTel trace mode on runtrace's otel_traces table", () => {
    const uids = dataSources.map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    const ch = dataSource("grafana-clickhouse-datasource");
    expect(ch.jsonData!.traces).toEqual({
      defaultDatabase: envOf(services.clickhouse!).CLICKHOUSE_DB,
      defaultTable: "otel_traces",
      otelEnabled: true,
      otelVersion: "latest",
    });
    expect(read("packages/clickhouse/src/schema/v1-initial.ts")).toContain(
      "CREATE TABLE IF NOT EXISTS otel_traces (",
    );
  });

  it("gives every panel and query of the dashboard a provisioned data source", () => {
    const dashboard = JSON.parse(read("grafana/dashboards/executions.json")) as {
      uid: string;
      title: string;
      panels: {
        title: string;
        datasource: { type: string; uid: string };
        targets: { datasource: { type: string; uid: string }; rawSql: string }[];
      }[];
    };
    expect(dashboard).toMatchObject({ uid: "runtrace-executions", title: "Executions" });
    const byUid = new Map(dataSources.map((d) => [d.uid, d.type]));
    expect(dashboard.panels.length).toBeGreaterThan(0);
    for (const panel of dashboard.panels) {
      for (const ref of [panel.datasource, ...panel.targets.map((t) => t.datasource)]) {
        expect(byUid.get(ref.uid), `${panel.title}: ${ref.uid}`).toBe(ref.type);
      }
      for (const target of panel.targets) expect(target.rawSql.length).toBeGreaterThan(0);
    }
  });
});
