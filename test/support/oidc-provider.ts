import { createHash, createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";

/**
 * A small OpenID Connect provider standing in for a province's 统一身份认证 in tests: discovery
 * document, JWKS with an RSA key from node:crypto, /authorize that "authenticates" the configured
 * person and redirects back with a code, /token that checks the client, redirect URI and PKCE
 * verifier and returns an RS256-signed ID token. Knobs let a test make the token wrong.
 */
export interface TestPerson {
  sub: string;
  name?: string;
  phone_number?: string;
  phone_number_verified?: boolean;
}

export interface TokenFault {
  /** Signs, then changes a claim, so the signature no longer matches. */
  tamper?: boolean;
  /** Seconds from now for exp (negative: already expired). */
  expiresIn?: number;
  audience?: string;
  issuer?: string;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string;
  person: TestPerson;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export class TestOidcProvider {
  readonly clientId = "zhengwu-test";
  readonly clientSecret = randomBytes(16).toString("hex");
  person: TestPerson = { sub: "person-1" };
  /** Applied to the next ID token only. */
  fault: TokenFault | undefined;
  private server: Server | undefined;
  private codes = new Map<string, IssuedCode>();
  private key = generateKeyPairSync("rsa", { modulusLength: 2048 });
  private kid = randomBytes(8).toString("hex");
  issuer = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request)
        .then(({ status, headers, body }) => {
          response.writeHead(status, headers);
          response.end(body);
        })
        .catch(() => {
          response.writeHead(500);
          response.end();
        });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.issuer = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  get discoveryUrl(): string {
    return `${this.issuer}/.well-known/openid-configuration`;
  }

  private async handle(request: IncomingMessage) {
    const url = new URL(request.url ?? "/", this.issuer);
    const json = (status: number, value: unknown) => ({
      status,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
      body: JSON.stringify(value),
    });
    if (url.pathname === "/.well-known/openid-configuration")
      return json(200, {
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/authorize`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
        scopes_supported: ["openid", "profile", "phone"],
      });
    if (url.pathname === "/jwks")
      return json(200, {
        keys: [{ ...this.key.publicKey.export({ format: "jwk" }), kid: this.kid, alg: "RS256", use: "sig" }],
      });
    if (url.pathname === "/authorize") return this.authorize(url);
    if (url.pathname === "/token" && request.method === "POST") return this.token(request, json);
    return { status: 404, headers: {}, body: "" };
  }

  private authorize(url: URL) {
    const q = url.searchParams;
    const redirectUri = q.get("redirect_uri") ?? "";
    const bad =
      q.get("client_id") !== this.clientId ||
      q.get("response_type") !== "code" ||
      !(q.get("scope") ?? "").split(" ").includes("openid") ||
      q.get("code_challenge_method") !== "S256" ||
      !q.get("code_challenge") ||
      !q.get("state") ||
      !q.get("nonce") ||
      !redirectUri;
    if (bad) return { status: 400, headers: {}, body: "invalid_request" };
    const code = randomBytes(16).toString("hex");
    this.codes.set(code, {
      clientId: this.clientId,
      redirectUri,
      challenge: q.get("code_challenge") ?? "",
      nonce: q.get("nonce") ?? "",
      person: { ...this.person },
    });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    back.searchParams.set("state", q.get("state") ?? "");
    return { status: 302, headers: { location: back.href }, body: "" };
  }

  private async token(
    request: IncomingMessage,
    json: (
      status: number,
      value: unknown,
    ) => { status: number; headers: Record<string, string>; body: string },
  ) {
    let raw = "";
    for await (const chunk of request) raw += chunk;
    const form = new URLSearchParams(raw);
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const [basicId, basicSecret] = basic
      ? Buffer.from(basic, "base64").toString().split(":").map(decodeURIComponent)
      : [];
    const clientId = basicId ?? form.get("client_id");
    const secret = basicSecret ?? form.get("client_secret");
    if (clientId !== this.clientId || secret !== this.clientSecret)
      return json(401, { error: "invalid_client" });
    const code = form.get("code") ?? "";
    const issued = this.codes.get(code);
    this.codes.delete(code);
    const verifier = form.get("code_verifier") ?? "";
    if (
      form.get("grant_type") !== "authorization_code" ||
      !issued ||
      issued.redirectUri !== form.get("redirect_uri") ||
      b64url(createHash("sha256").update(verifier).digest()) !== issued.challenge
    )
      return json(400, { error: "invalid_grant" });
    const fault = this.fault ?? {};
    this.fault = undefined;
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      ...issued.person,
      iss: fault.issuer ?? this.issuer,
      aud: fault.audience ?? this.clientId,
      iat: now,
      exp: now + (fault.expiresIn ?? 300),
      nonce: issued.nonce,
    };
    let idToken = this.sign(claims);
    if (fault.tamper) {
      const [header, , signature] = idToken.split(".");
      idToken = `${header}.${b64url(JSON.stringify({ ...claims, sub: "someone-else" }))}.${signature}`;
    }
    return json(200, {
      access_token: randomBytes(16).toString("hex"),
      token_type: "Bearer",
      expires_in: 300,
      id_token: idToken,
    });
  }

  private sign(claims: object): string {
    const input = `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: this.kid }))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign("RSA-SHA256").update(input).sign(this.key.privateKey);
    return `${input}.${b64url(signature)}`;
  }
}
