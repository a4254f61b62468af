import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plainText, sanitizeRichText } from "./sanitize.ts";

describe("the one sanitizer", () => {
  it("keeps document structure", () => {
    const html =
      '<h2>一、总则</h2><p>第一条 <strong>为了</strong>规范……</p><ul><li>甲</li></ul><table><tr><th scope="col">项目</th></tr></table>';
    const clean = sanitizeRichText(html);
    for (const tag of ["<h2>", "<strong>", "<ul>", "<li>", "<table>", 'scope="col"'])
      assert.ok(clean.includes(tag), tag);
  });

  it("removes script, handlers, styles and dangerous URLs", () => {
    const clean = sanitizeRichText(
      '<p style="color:red" onmouseover="x()">a</p><script>alert(1)</script><img src="javascript:alert(1)" onerror="y()"><a href="javascript:alert(2)">b</a><iframe src="https://x"></iframe><svg onload="z()"></svg>',
    );
    assert.doesNotMatch(clean, /script|onmouseover|onerror|onload|javascript:|style=|iframe|svg/i);
  });

  it("demotes h1 and marks links noopener", () => {
    assert.equal(
      sanitizeRichText('<h1>标题</h1><a href="https://gov.cn">链接</a>'),
      '<h2>标题</h2><a href="https://gov.cn" rel="noopener noreferrer">链接</a>',
    );
  });

  it("extracts plain text with line breaks between blocks", () => {
    assert.equal(plainText("<p>第一段&amp;</p><p>第二段</p>"), "第一段&\n第二段");
  });
});
