/*
 * 规划问答 portal widget. One tag renders a floating chat box on any page:
 *
 *   <script src="https://host/widget.js" data-key="WIDGET_KEY" data-api="https://host"></script>
 *
 * data-key    a widget key (PLANQA_WIDGET_KEYS); the page's origin must be in PLANQA_CORS_ORIGINS
 * data-api    where the API lives; defaults to the origin this script was loaded from
 * data-title  the box title (default 规划问答); data-doc-ids: comma-separated doc_ids to search
 *
 * Answers stream from POST /api/ask/stream (fetch + ReadableStream); an answer with an answer_id
 * (the conversation log is on) gets 👍/👎 and an optional comment, sent to POST /api/feedback.
 * Every piece of user or
 * corpus text is written with textContent, never innerHTML; styles live in a shadow root so
 * the host page and the widget leave each other alone.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__planqaWidget) return;
  window.__planqaWidget = true;

  var KEY = script.getAttribute("data-key") || "";
  var API = (script.getAttribute("data-api") || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var TITLE = script.getAttribute("data-title") || "规划问答";
  var DOC_IDS = (script.getAttribute("data-doc-ids") || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean);
  var MAX_HISTORY = 6;
  var MAX_COMMENT = 1000;
  // groups this page's questions in the conversation log; not stored anywhere in the browser
  var SESSION = "w-" + Math.random().toString(36).slice(2, 12) + Date.now().toString(36);

  var CSS = [
    ":host { all: initial; }",
    "* { box-sizing: border-box; font-family: 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif; }",
    ".launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 24px;",
    "  padding: 12px 20px; background: #1d4ed8; color: #fff; font-size: 15px; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".launcher:focus-visible, button:focus-visible, textarea:focus-visible, a:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }",
    ".panel { position: fixed; right: 20px; bottom: 76px; z-index: 2147483000; width: min(400px, calc(100vw - 24px));",
    "  height: min(600px, calc(100vh - 100px)); display: flex; flex-direction: column; background: #fff; color: #1f2937;",
    "  border-radius: 12px; box-shadow: 0 10px 30px rgba(0,0,0,.3); overflow: hidden; font-size: 14px; line-height: 1.6; }",
    ".panel[hidden] { display: none; }",
    ".head { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px; background: #1d4ed8; color: #fff; }",
    ".head h2 { margin: 0; font-size: 16px; font-weight: 600; }",
    ".close { background: transparent; border: 0; color: #fff; font-size: 20px; cursor: pointer; line-height: 1; }",
    ".log { flex: 1; overflow-y: auto; padding: 12px; background: #f8fafc; }",
    ".msg { margin: 0 0 10px; padding: 8px 12px; border-radius: 10px; white-space: pre-wrap; word-break: break-word; max-width: 92%; }",
    ".msg.user { margin-left: auto; background: #dbeafe; }",
    ".msg.assistant { background: #fff; border: 1px solid #e5e7eb; }",
    ".msg.error { background: #fef2f2; border: 1px solid #fecaca; color: #991b1b; }",
    ".note { margin-top: 6px; padding: 4px 8px; background: #fffbeb; border-left: 3px solid #d97706; color: #92400e; font-size: 13px; }",
    ".cites { margin: 8px 0 0; padding-left: 0; list-style: none; font-size: 13px; border-top: 1px dashed #e5e7eb; }",
    ".cites li { margin-top: 4px; }",
    ".cites a { color: #1d4ed8; text-decoration: underline; cursor: pointer; }",
    ".cites .quote { display: block; color: #64748b; font-size: 12px; }",
    ".passage { margin: 4px 0 6px; padding: 6px 8px; background: #f1f5f9; border-radius: 6px; white-space: pre-wrap; }",
    ".passage .where { display: block; color: #475569; font-size: 12px; margin-bottom: 4px; }",
    "form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e7eb; }",
    "textarea { flex: 1; resize: none; height: 44px; padding: 8px; border: 1px solid #cbd5e1; border-radius: 8px; font-size: 14px; }",
    ".send { border: 0; border-radius: 8px; padding: 0 16px; background: #1d4ed8; color: #fff; font-size: 14px; cursor: pointer; }",
    ".send:disabled { background: #94a3b8; cursor: wait; }",
    ".foot { padding: 0 12px 8px; color: #64748b; font-size: 12px; }",
    ".rate { margin-top: 6px; display: flex; flex-wrap: wrap; align-items: center; gap: 6px; font-size: 12px; color: #64748b; }",
    ".rate button { border: 1px solid #cbd5e1; background: #fff; border-radius: 6px; padding: 2px 8px; cursor: pointer; font-size: 12px; }",
    ".rate button[aria-pressed=true] { background: #dbeafe; border-color: #1d4ed8; }",
    ".rate input { flex: 1 1 160px; min-width: 0; padding: 3px 6px; border: 1px solid #cbd5e1; border-radius: 6px; font-size: 12px; }",
    ".rate .send-comment { font-size: 12px; }"
  ].join("\n");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function headers() {
    var h = { "Content-Type": "application/json", "X-Planqa-Client": "widget", "X-Session-Id": SESSION };
    if (KEY) h["Authorization"] = "Bearer " + KEY;
    return h;
  }

  async function errorText(res) {
    try {
      var body = await res.json();
      if (typeof body.detail === "string") return body.detail;
      if (Array.isArray(body.detail)) return body.detail.map(function (d) { return d.msg; }).join("；");
    } catch (e) { /* not JSON */ }
    return "请求失败（HTTP " + res.status + "）";
  }

  function mount() {
    var host = el("div");
    host.id = "planqa-widget";
    document.body.appendChild(host);
    var root = host.attachShadow({ mode: "open" });
    root.appendChild(el("style", "", CSS));

    var launcher = el("button", "launcher", TITLE);
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    var panel = el("section", "panel");
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", TITLE);
    var head = el("div", "head");
    head.appendChild(el("h2", "", TITLE));
    var close = el("button", "close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "关闭");
    head.appendChild(close);
    var log = el("div", "log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.appendChild(el("p", "msg assistant", "您好！我可以回答关于江苏省科技创新规划的问题，并给出原文出处。"));
    var form = el("form");
    var input = el("textarea");
    input.placeholder = "请输入问题…";
    input.setAttribute("aria-label", "问题");
    input.maxLength = 2000;
    var send = el("button", "send", "发送");
    send.type = "submit";
    form.appendChild(input);
    form.appendChild(send);
    panel.appendChild(head);
    panel.appendChild(log);
    panel.appendChild(form);
    panel.appendChild(el("div", "foot", "回答依据规划原文自动生成，仅供参考。"));
    root.appendChild(panel);
    root.appendChild(launcher);

    var history = [];

    function toggle(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      if (open) input.focus();
    }
    launcher.addEventListener("click", function () { toggle(panel.hidden); });
    close.addEventListener("click", function () { toggle(false); launcher.focus(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var question = input.value.trim();
      if (!question || send.disabled) return;
      input.value = "";
      send.disabled = true;
      ask(question).finally(function () { send.disabled = false; input.focus(); });
    });

    function scroll() { log.scrollTop = log.scrollHeight; }

    async function ask(question) {
      log.appendChild(el("p", "msg user", question));
      var bubble = el("div", "msg assistant");
      var text = el("span", "text", "…");
      bubble.appendChild(text);
      log.appendChild(bubble);
      scroll();
      var body = { question: question, history: history.slice(-MAX_HISTORY) };
      if (DOC_IDS.length) body.doc_ids = DOC_IDS;
      try {
        var res = await fetch(API + "/api/ask/stream", { method: "POST", headers: headers(), body: JSON.stringify(body) });
        if (!res.ok || !res.body) return fail(bubble, await errorText(res));
        var written = "";
        await readEvents(res.body, function (event) {
          if (typeof event.delta === "string") {
            written += event.delta;
            text.textContent = written;
          } else if (event.done && event.answer) {
            finish(bubble, text, event.answer);
            history.push({ role: "user", content: question }, { role: "assistant", content: event.answer.answer });
          } else if (event.error) {
            fail(bubble, event.error);
          }
          scroll();
        });
      } catch (err) {
        fail(bubble, "网络错误，请稍后再试。");
      }
    }

    async function readEvents(stream, onEvent) {
      var reader = stream.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
        var end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          var block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          var data = block.split("\n").filter(function (l) { return l.indexOf("data:") === 0; })
            .map(function (l) { return l.slice(5).replace(/^ /, ""); }).join("\n");
          if (!data) continue;  // a keep-alive comment
          try { onEvent(JSON.parse(data)); } catch (e) { /* ignore a malformed event */ }
        }
      }
    }

    function fail(bubble, message) {
      bubble.className = "msg error";
      bubble.textContent = message;
    }

    function finish(bubble, text, answer) {
      text.textContent = answer.answer;
      if (answer.refused) {
        bubble.appendChild(el("div", "note", "未能根据规划原文作答：" + (answer.refusal_reason || "资料中没有相关内容")));
      }
      if (answer.citations && answer.citations.length) {
        var list = el("ol", "cites");
        list.setAttribute("aria-label", "引用出处");
        answer.citations.forEach(function (c) {
          var item = el("li");
          var link = el("a", "", "[" + c.n + "] " + [c.doc_title, c.section, c.column].filter(Boolean).join(" › "));
          link.href = API + "/api/chunks/" + encodeURIComponent(c.chunk_id);
          link.title = "查看原文段落";
          link.addEventListener("click", function (e) { e.preventDefault(); togglePassage(item, c.chunk_id); });
          item.appendChild(link);
          if (c.quote) item.appendChild(el("span", "quote", "“" + (c.quote.length > 40 ? c.quote.slice(0, 40) + "…" : c.quote) + "”"));
          list.appendChild(item);
        });
        bubble.appendChild(list);
      }
      if (answer.answer_id) bubble.appendChild(ratingBar(answer.answer_id));
    }

    function ratingBar(answerId) {
      var bar = el("div", "rate");
      bar.appendChild(el("span", "id", "编号 " + answerId.slice(0, 8)));
      bar.title = "回答编号 " + answerId;
      var up = el("button", "up", "👍 有用");
      var down = el("button", "down", "👎 没用");
      var comment = el("input");
      var sendComment = el("button", "send-comment", "提交评语");
      var status = el("span", "status");
      var rating = null;
      comment.placeholder = "可选：哪里不对？";
      comment.maxLength = MAX_COMMENT;
      comment.setAttribute("aria-label", "评语");
      comment.hidden = sendComment.hidden = true;
      [up, down, sendComment].forEach(function (b) { b.type = "button"; });
      function rate(value) {
        rating = value;
        up.setAttribute("aria-pressed", String(value === "up"));
        down.setAttribute("aria-pressed", String(value === "down"));
        comment.hidden = sendComment.hidden = false;
        submit();
      }
      async function submit() {
        var body = { answer_id: answerId, rating: rating };
        if (comment.value.trim()) body.comment = comment.value.trim();
        status.textContent = "…";
        try {
          var res = await fetch(API + "/api/feedback", { method: "POST", headers: headers(), body: JSON.stringify(body) });
          status.textContent = res.ok ? (body.comment ? "评语已记录，谢谢！" : "谢谢评价！") : await errorText(res);
        } catch (err) {
          status.textContent = "网络错误，评价未能发送。";
        }
      }
      up.addEventListener("click", function () { rate("up"); });
      down.addEventListener("click", function () { rate("down"); });
      sendComment.addEventListener("click", function () { if (rating) submit(); });
      comment.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.isComposing) { e.preventDefault(); if (rating) submit(); }
      });
      [up, down, comment, sendComment, status].forEach(function (node) { bar.appendChild(node); });
      return bar;
    }

    async function togglePassage(item, chunkId) {
      var open = item.querySelector(".passage");
      if (open) { open.remove(); return; }
      var box = el("div", "passage", "正在加载原文…");
      item.appendChild(box);
      try {
        var res = await fetch(API + "/api/chunks/" + encodeURIComponent(chunkId), { headers: headers() });
        if (!res.ok) { box.textContent = await errorText(res); return; }
        var chunk = await res.json();
        box.textContent = "";
        var where = [chunk.doc_title].concat(chunk.section_path || []).join(" › ") + (chunk.column ? " · " + chunk.column : "");
        box.appendChild(el("span", "where", where));
        box.appendChild(document.createTextNode(chunk.text));
      } catch (err) {
        box.textContent = "网络错误，无法加载原文。";
      }
    }
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
