import { get as httpGet } from "node:http";

/** A small browser-like client: keeps cookies, reads CSRF tokens from forms, never follows redirects. */
export class HttpClient {
  private cookies = new Map<string, string>();

  readonly baseUrl: string;
  /** Sent with every request (e.g. X-Forwarded-For when a test stands in for many visitors). */
  readonly headers: Record<string, string> = {};
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair?.indexOf("=") ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.headers)) headers.set(k, v);
    if (this.cookies.size) headers.set("cookie", this.cookieHeader());
    const response = await fetch(`${this.baseUrl}${path}`, { ...init, headers, redirect: "manual" });
    this.remember(response);
    return response;
  }

  async get(path: string): Promise<{ status: number; text: string; headers: Headers }> {
    const response = await this.request(path);
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  /** Loads `formPage` to obtain a CSRF token, then posts `fields` to `action`. */
  async submit(
    formPage: string,
    action: string,
    fields: Record<string, string | string[]>,
    files?: Record<string, { name: string; data: Buffer; type?: string }[]>,
  ) {
    const page = await this.get(formPage);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error(`${formPage} 上没有找到表单令牌（状态 ${page.status}）`);
    return this.post(action, { ...fields, _csrf: token }, files);
  }

  async post(
    action: string,
    fields: Record<string, string | string[]>,
    files?: Record<string, { name: string; data: Buffer; type?: string }[]>,
  ) {
    let body: URLSearchParams | FormData;
    if (files) {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields))
        for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
      for (const [k, list] of Object.entries(files)) {
        for (const f of list)
          form.append(
            k,
            new Blob([new Uint8Array(f.data)], { type: f.type ?? "application/octet-stream" }),
            f.name,
          );
      }
      body = form;
    } else {
      body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields))
        for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    }
    const response = await this.request(action, { method: "POST", body });
    return {
      status: response.status,
      text: await response.text(),
      location: response.headers.get("location") ?? "",
    };
  }
}

/** Bytes on the wire for a GET with compression accepted, as a browser would receive them. */
export function compressedSize(url: string): Promise<{ status: number; bytes: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers: { "accept-encoding": "br, gzip" } }, (response) => {
      let bytes = 0;
      response.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          bytes,
          encoding: String(response.headers["content-encoding"] ?? "identity"),
        }),
      );
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}
