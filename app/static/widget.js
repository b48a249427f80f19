/* LISO-assistent widget: one <script> tag adds a chat bubble to any page.
 *
 * <script src="https://host/widget.js" data-title="LISO-assistent"
 *   data-welcome="Stel je vraag" data-color="#0b6e4f" data-lang="nl"
 *   data-api="https://host"></script>
 *
 * Talks to {data-api}/api/ask/stream (server-sent events over fetch). User and model
 * text is only ever inserted with textContent, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__lisoWidget) return;
  window.__lisoWidget = true;

  var ds = script.dataset || {};
  var origin = new URL(script.src, location.href).origin;
  var api = (ds.api || origin).replace(/\/+$/, "");
  var lang = ds.lang === "en" ? "en" : "nl";
  var T = {
    nl: {
      title: "LISO-assistent",
      welcome: "Hallo! Stel een vraag over leernetwerken; ik antwoord met bronnen uit het LISO-framework.",
      placeholder: "Typ je vraag…",
      send: "Verstuur",
      open: "Open de LISO-assistent",
      close: "Sluiten",
      sources: "Bronnen",
      thinking: "Even zoeken…",
      error: "Er ging iets mis. Probeer het later opnieuw.",
    },
    en: {
      title: "LISO assistant",
      welcome: "Hello! Ask a question about learning networks; I answer with sources from the LISO framework.",
      placeholder: "Type your question…",
      send: "Send",
      open: "Open the LISO assistant",
      close: "Close",
      sources: "Sources",
      thinking: "Searching…",
      error: "Something went wrong. Please try again later.",
    },
  }[lang];

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = api + "/widget.css";
  document.head.appendChild(css);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  var root = el("div", "liso-w");
  if (ds.color && /^#[0-9a-fA-F]{3,8}$|^[a-zA-Z]+$/.test(ds.color)) {
    root.style.setProperty("--liso-color", ds.color);
  }
  var bubble = el("button", "liso-w-bubble");
  bubble.type = "button";
  bubble.setAttribute("aria-label", T.open);
  bubble.setAttribute("aria-expanded", "false");
  var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  path.setAttribute("fill", "currentColor");
  svg.appendChild(path);
  bubble.appendChild(svg);

  var panel = el("div", "liso-w-panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", ds.title || T.title);
  panel.hidden = true;

  var head = el("div", "liso-w-head");
  head.appendChild(el("span", "liso-w-title", ds.title || T.title));
  var closeBtn = el("button", "liso-w-close", "×");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", T.close);
  head.appendChild(closeBtn);

  var log = el("div", "liso-w-log");
  log.setAttribute("aria-live", "polite");
  log.appendChild(el("div", "liso-w-msg liso-w-bot", ds.welcome || T.welcome));

  var form = el("form", "liso-w-form");
  var input = el("input", "liso-w-input");
  input.type = "text";
  input.maxLength = 2000;
  input.placeholder = T.placeholder;
  input.setAttribute("aria-label", T.placeholder);
  var sendBtn = el("button", "liso-w-send", T.send);
  sendBtn.type = "submit";
  form.appendChild(input);
  form.appendChild(sendBtn);

  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(bubble);

  function mount() {
    document.body.appendChild(root);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  function toggle(open) {
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    if (open) input.focus();
  }
  bubble.addEventListener("click", function () {
    toggle(panel.hidden);
  });
  closeBtn.addEventListener("click", function () {
    toggle(false);
  });

  var history = [];
  var busy = false;

  function scroll() {
    log.scrollTop = log.scrollHeight;
  }

  function principleUrl(id) {
    return api + "/principles/" + encodeURIComponent(id);
  }

  // Answer text with **bold** and [n] turned into DOM nodes (never parsed as HTML).
  function renderAnswer(node, text, citations) {
    node.textContent = "";
    var byN = {};
    (citations || []).forEach(function (c) {
      byN[c.n] = c;
    });
    text.split("**").forEach(function (part, i) {
      var target = node;
      if (i % 2 === 1) {
        target = el("strong");
        node.appendChild(target);
      }
      appendRefs(target, part, byN);
    });
  }

  function appendRefs(node, text, byN) {
    var re = /\[(\d+)\]/g;
    var last = 0;
    var m;
    while ((m = re.exec(text))) {
      node.appendChild(document.createTextNode(text.slice(last, m.index)));
      var c = byN[m[1]];
      if (c) {
        var a = el("a", "liso-w-ref", "[" + m[1] + "]");
        a.href = principleUrl(c.id);
        a.target = "_blank";
        a.rel = "noopener";
        a.title = c.text;
        node.appendChild(a);
      } else {
        node.appendChild(document.createTextNode(m[0]));
      }
      last = re.lastIndex;
    }
    node.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderSources(msg, citations) {
    if (!citations || !citations.length) return;
    var box = el("div", "liso-w-sources");
    box.appendChild(el("div", "liso-w-sources-title", T.sources));
    var ol = el("ol");
    citations.forEach(function (c) {
      var li = el("li");
      li.value = c.n;
      var label = c.text.length > 160 ? c.text.slice(0, 157) + "…" : c.text;
      var a = el("a", null, label);
      if (c.principle && c.principle !== c.text) a.title = c.principle;
      a.href = principleUrl(c.id);
      a.target = "_blank";
      a.rel = "noopener";
      li.appendChild(a);
      li.appendChild(el("span", "liso-w-meta", " — " + c.kernelement));
      ol.appendChild(li);
    });
    box.appendChild(ol);
    msg.appendChild(box);
  }

  function errorText(err) {
    if (err && (err.message_nl || err.message_en)) {
      return lang === "en" ? err.message_en : err.message_nl;
    }
    return T.error;
  }

  // Minimal SSE parser over a fetch ReadableStream.
  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buf = "";
    function flush(block) {
      var event = "message";
      var data = [];
      block.split(/\r?\n/).forEach(function (line) {
        if (line.indexOf("event:") === 0) event = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (!data.length) return;
      var parsed;
      try {
        parsed = JSON.parse(data.join("\n"));
      } catch (e) {
        return;
      }
      onEvent(event, parsed);
    }
    function pump() {
      return reader.read().then(function (r) {
        if (r.done) {
          if (buf.trim()) flush(buf);
          return;
        }
        buf += decoder.decode(r.value, { stream: true });
        var parts = buf.split(/\r?\n\r?\n/);
        buf = parts.pop();
        parts.forEach(flush);
        return pump();
      });
    }
    return pump();
  }

  function ask(question) {
    busy = true;
    sendBtn.disabled = true;
    log.appendChild(el("div", "liso-w-msg liso-w-user", question));
    var msg = el("div", "liso-w-msg liso-w-bot liso-w-pending");
    var body = el("div", "liso-w-text", T.thinking);
    msg.appendChild(body);
    log.appendChild(msg);
    scroll();
    var text = "";
    var done = false;

    fetch(api + "/api/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ question: question, history: history.slice(-10) }),
    })
      .then(function (res) {
        if (!res.ok) {
          return res.json().then(
            function (j) {
              throw j.error || {};
            },
            function () {
              throw {};
            }
          );
        }
        return readEvents(res, function (event, data) {
          if (event === "token") {
            text += data.text || "";
            body.textContent = text;
            scroll();
          } else if (event === "done") {
            done = true;
            msg.classList.remove("liso-w-pending");
            renderAnswer(body, data.answer || text, data.citations);
            renderSources(msg, data.citations);
            history.push({ role: "user", content: question });
            history.push({ role: "assistant", content: data.answer || text });
            scroll();
          } else if (event === "error") {
            throw data;
          }
        });
      })
      .then(function () {
        if (!done) throw {};
      })
      .catch(function (err) {
        msg.classList.remove("liso-w-pending");
        msg.classList.add("liso-w-error");
        body.textContent = errorText(err);
      })
      .then(function () {
        busy = false;
        sendBtn.disabled = false;
        scroll();
      });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = input.value.trim();
    if (!q || busy) return;
    input.value = "";
    ask(q);
  });
})();
