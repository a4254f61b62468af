/**
 * Optional generative mode: rewrites a retrieved answer with a model behind an OpenAI-compatible
 * endpoint (many governments run Qwen or DeepSeek in-house). Off unless ASSISTANT_LLM_URL is set;
 * grounded only on the retrieved passages; any failure falls back to the retrieved answer.
 *
 *   ASSISTANT_LLM_URL=http://10.0.0.5:8000/v1  ASSISTANT_LLM_MODEL=qwen2.5-14b-instruct
 *   ASSISTANT_LLM_KEY=...  (optional)  ASSISTANT_LLM_TIMEOUT_MS=8000  (optional)
 */
export interface Passage {
  title: string;
  text: string;
}

interface Settings {
  url: string;
  model: string;
  key: string;
  timeoutMs: number;
}

function settings(): Settings | null {
  const url = process.env.ASSISTANT_LLM_URL?.trim();
  if (!url) return null;
  const timeout = Number(process.env.ASSISTANT_LLM_TIMEOUT_MS ?? 8000);
  return {
    url: url.replace(/\/$/, ""),
    model: process.env.ASSISTANT_LLM_MODEL?.trim() || "default",
    key: process.env.ASSISTANT_LLM_KEY?.trim() ?? "",
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, 60_000) : 8000,
  };
}

export function generativeEnabled(): boolean {
  return settings() !== null;
}

const SYSTEM = [
  "你是青禾市政务服务智能问答助手。",
  "只能依据用户消息中给出的【资料】回答，不得使用资料以外的知识，不得编造金额、时限、电话或政策。",
  "资料不足以回答时，只回答：资料中没有相关内容。",
  "用简洁、礼貌的中文回答，不超过200字，不要使用Markdown。",
].join("");

/** The model's answer grounded on the passages, or null (off, failed, timed out, or empty). */
export async function generateAnswer(question: string, passages: Passage[]): Promise<string | null> {
  const s = settings();
  if (!s || !passages.length) return null;
  const material = passages.map((p, i) => `【资料${i + 1}】${p.title}\n${p.text}`).join("\n\n");
  try {
    const response = await fetch(`${s.url}/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(s.key ? { authorization: `Bearer ${s.key}` } : {}),
      },
      body: JSON.stringify({
        model: s.model,
        temperature: 0.1,
        max_tokens: 400,
        messages: [
          { role: "system", content: SYSTEM },
          { role: "user", content: `${material}\n\n【问题】${question}` },
        ],
      }),
      signal: AbortSignal.timeout(s.timeoutMs),
    });
    if (!response.ok) return null;
    const data = (await response.json()) as { choices?: { message?: { content?: unknown } }[] };
    const text = data.choices?.[0]?.message?.content;
    if (typeof text !== "string") return null;
    const answer = text.trim().slice(0, 600);
    // a model that says the material does not cover it is not an answer
    if (!answer || answer.includes("资料中没有相关内容")) return null;
    return answer;
  } catch {
    return null;
  }
}
