import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { startTestPlatform, type TestPlatform } from "./support/platform.ts";

/** A stand-in for an in-house model service speaking the OpenAI chat-completions protocol. */
function modelService(reply: (body: { messages: { role: string; content: string }[] }) => [number, string]) {
  const seen: { messages: { role: string; content: string }[] }[] = [];
  const server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => {
      raw += chunk;
    });
    request.on("end", () => {
      const body = JSON.parse(raw);
      seen.push(body);
      const [status, content] = reply(body);
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify({ choices: [{ message: { role: "assistant", content } }] }));
    });
  });
  return { server, seen };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    }),
  );
}

describe("智能问答: optional generative mode (OpenAI-compatible endpoint)", () => {
  let p: TestPlatform;
  let mode: "ok" | "fail" | "unsure" = "ok";
  const model = modelService(() =>
    mode === "ok"
      ? [200, "您好，新生儿落户需要出生医学证明、户口簿、父母身份证和结婚证。"]
      : mode === "unsure"
        ? [200, "资料中没有相关内容。"]
        : [500, ""],
  );
  const ask = async (q: string) =>
    JSON.parse((await p.client().get(`/api/assistant?q=${encodeURIComponent(q)}`)).text) as {
      answer: string;
      confident: boolean;
      sources: { ref: string | null }[];
    };

  before(async () => {
    p = await startTestPlatform("demo");
    process.env.ASSISTANT_LLM_URL = `http://127.0.0.1:${await listen(model.server)}/v1`;
    process.env.ASSISTANT_LLM_MODEL = "qwen-test";
  });
  after(async () => {
    delete process.env.ASSISTANT_LLM_URL;
    model.server.close();
    await p.close();
  });

  it("answers in the model's words, grounded on the retrieved FAQ, still citing it", async () => {
    const r = await ask("新生儿上户口需要什么材料");
    assert.equal(r.confident, true);
    assert.match(r.answer, /^您好，新生儿落户需要/);
    assert.equal(r.sources[0]?.ref, "faq-001");
    const request = model.seen.at(-1);
    assert.ok(request);
    assert.match(request.messages[0]?.content ?? "", /只能依据/);
    assert.match(request.messages[1]?.content ?? "", /出生医学证明/);
    assert.match(request.messages[1]?.content ?? "", /【问题】新生儿上户口需要什么材料/);
  });

  it("falls back to the retrieved answer when the model fails or finds nothing", async () => {
    mode = "fail";
    const failed = await ask("新生儿上户口需要什么材料");
    assert.equal(failed.confident, true);
    assert.match(failed.answer, /^新生儿出生登记需要/);
    mode = "unsure";
    const unsure = await ask("新生儿上户口需要什么材料");
    assert.match(unsure.answer, /^新生儿出生登记需要/);
  });

  it("is never asked when retrieval does not know", async () => {
    mode = "ok";
    const before = model.seen.length;
    const r = await ask("护照过期了在哪里换新的");
    assert.equal(r.confident, false);
    assert.equal(model.seen.length, before);
  });
});
