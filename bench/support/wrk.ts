/**
 * wrk (Debian's package) as the load generator: the same connections, threads and duration against
 * every server in a run, so the figures compare as ratios.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface WrkResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  /** Socket errors plus responses outside 2xx/3xx. */
  errors: number;
}

export interface WrkOptions {
  connections?: number;
  seconds?: number;
  threads?: number;
  /** A Lua script for wrk (rotating paths, POST bodies). */
  lua?: string;
}

function milliseconds(value: string, unit: string): number {
  const n = Number(value);
  if (unit === "us") return n / 1000;
  if (unit === "s") return n * 1000;
  if (unit === "m") return n * 60_000;
  return n;
}

export function parseWrk(output: string): WrkResult {
  const latency = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(output);
    return m ? milliseconds(m[1] ?? "0", m[2] ?? "ms") : Number.NaN;
  };
  const number = (re: RegExp) => Number(re.exec(output)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50: latency("50"),
    p99: latency("99"),
    requests: number(/(\d+) requests in/),
    errors:
      number(/Non-2xx or 3xx responses: (\d+)/) +
      (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
  };
}

export async function wrk(url: string, options: WrkOptions = {}): Promise<WrkResult> {
  const args = [
    `-t${options.threads ?? 1}`,
    `-c${options.connections ?? 16}`,
    `-d${options.seconds ?? 8}s`,
    "--latency",
  ];
  if (options.lua) {
    const file = path.join(tmpdir(), `zhengwu-wrk-${process.pid}-${Date.now()}.lua`);
    await writeFile(file, options.lua);
    args.push("-s", file);
  }
  const { stdout } = await run("wrk", [...args, url], { maxBuffer: 1 << 20 });
  return parseWrk(stdout);
}

export function hasWrk(): Promise<boolean> {
  return run("wrk", ["--version"]).then(
    () => true,
    (error: { stdout?: string }) => Boolean(error.stdout?.includes("wrk")),
  );
}
