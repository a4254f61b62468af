import { HttpClient } from "./http.ts";

let addresses = 0;

/**
 * A browser on its own IP address, as a trusted reverse proxy reports it (the platform must be
 * started with TRUST_PROXY=1). Lets a test act as many visitors without tripping the per-address
 * rate limits, and act as one attacker to prove them.
 */
export class ClientFrom extends HttpClient {
  readonly ip = `10.8.${Math.floor(++addresses / 250)}.${addresses % 250}`;
  override request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("x-forwarded-for", this.ip);
    return super.request(path, { ...init, headers });
  }
}
