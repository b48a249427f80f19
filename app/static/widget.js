/* LISO-assistent widget: one <script> tag adds a chat button and dialog to any page.
 *
 * <script src="https://host/widget.js" data-title="LISO-assistent"
 *   data-welcome="Stel je vraag" data-color="#0b6e4f" data-lang="nl"
 *   data-questions="Hoe houd ik deelnemers betrokken?|Wat zijn de fasen?"
 *   data-api="https://host"></script>
 *
 * Talks to {data-api}/api/ask/stream (server-sent events over fetch) and renders the
 * events as they come: the summary, then one card per principle, then the sources.
 * User and model text is only ever inserted with textContent, never as HTML.
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
  var MAX = 2000; // the server's limit on a question (ASSISTANT_MAX_QUESTION_CHARS)
  var WARN = 1600; // the counter shows from here
  var T = {
    nl: {
      title: "LISO-assistent",
      welcome: "Hallo! Stel een vraag over leernetwerken; ik antwoord met bronnen uit het LISO-framework.",
      placeholder: "Typ je vraag…",
      label: "Je vraag",
      send: "Verstuur",
      open: "Open de LISO-assistent",
      shut: "Sluit de LISO-assistent",
      close: "Sluiten",
      sources: "Bronnen",
      thinking: "Even zoeken…",
      error: "Er ging iets mis bij het beantwoorden. Probeer het opnieuw.",
      offline: "De assistent is niet bereikbaar. Je vraag is bewaard; probeer het zo opnieuw.",
      retry: "Opnieuw proberen",
      edit: "Vraag aanpassen",
      empty: "Typ eerst een vraag.",
      busy: "Even geduld: het vorige antwoord komt nog.",
      tooLong: "Je vraag is {n} tekens; maximaal {max}. Maak hem korter, dan kun je hem versturen.",
      count: "{n} van {max} tekens",
      answer: "Antwoord: ",
      source: "Bron",
      expert: "(E)",
      expertLong: "toegevoegd door praktijkexperts",
      mean: "Delphi-belang {m} van 5",
      works: "Werkzame elementen",
      helps: "Wat helpt",
      hinders: "Wat in de weg kan zitten",
      earlier: "In 2021",
      phase: "fase",
      try: "Probeer bijvoorbeeld:",
      kinds: {
        uitgangspunt: "uitgangspunt",
        werkzaam_element: "werkzaam element",
        toelichting: "toelichting",
        bevorderend: "bevorderende factor",
        belemmerend: "belemmerende factor",
        tip: "tip",
        fase: "ontwikkelfase",
        definitie: "definitie",
        methode: "methode",
        resultaat: "resultaat",
        bouwsteen: "bouwsteen",
      },
    },
    en: {
      title: "LISO assistant",
      welcome: "Hello! Ask a question about learning networks; I answer with sources from the LISO framework.",
      placeholder: "Type your question…",
      label: "Your question",
      send: "Send",
      open: "Open the LISO assistant",
      shut: "Close the LISO assistant",
      close: "Close",
      sources: "Sources",
      thinking: "Searching…",
      error: "Something went wrong while answering. Please try again.",
      offline: "The assistant cannot be reached. Your question is kept; please try again shortly.",
      retry: "Try again",
      edit: "Edit question",
      empty: "Type a question first.",
      busy: "One moment: the previous answer is still coming.",
      tooLong: "Your question has {n} characters; at most {max}. Shorten it to send it.",
      count: "{n} of {max} characters",
      answer: "Answer: ",
      source: "Source",
      expert: "(E)",
      expertLong: "added by practice experts",
      mean: "Delphi importance {m} of 5",
      works: "Working elements",
      helps: "What helps",
      hinders: "What may get in the way",
      earlier: "In 2021",
      phase: "phase",
      try: "For example:",
      kinds: {},
    },
  }[lang];

  function fmt(s, v) {
    return s.replace(/\{(\w+)\}/g, function (_, k) {
      return v[k];
    });
  }
  function num(n) {
    return lang === "nl" ? n.toLocaleString("nl-NL") : String(n);
  }
  function dec(x) {
    var s = x.toFixed(1);
    return lang === "nl" ? s.replace(".", ",") : s;
  }

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
  function button(cls, text, onClick) {
    var b = el("button", cls, text);
    b.type = "button";
    if (onClick) b.addEventListener("click", onClick);
    return b;
  }

  var title = ds.title || T.title;
  var root = el("aside", "liso-w"); // a landmark of its own on the host page
  root.lang = lang;
  root.setAttribute("aria-label", title);
  if (ds.color && /^#[0-9a-fA-F]{3,8}$|^[a-zA-Z]+$/.test(ds.color)) {
    root.style.setProperty("--liso-color", ds.color);
  }
  var bubble = button("liso-w-bubble");
  bubble.setAttribute("aria-label", T.open);
  bubble.setAttribute("aria-expanded", "false");
  bubble.setAttribute("aria-controls", "liso-w-panel");
  var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  path.setAttribute("fill", "currentColor");
  svg.appendChild(path);
  bubble.appendChild(svg);

  var panel = el("div", "liso-w-panel");
  panel.id = "liso-w-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "true");
  panel.setAttribute("aria-labelledby", "liso-w-title");
  panel.hidden = true;

  var head = el("div", "liso-w-head");
  var h = el("h2", "liso-w-title", title);
  h.id = "liso-w-title";
  head.appendChild(h);
  var closeBtn = button("liso-w-close", "×", function () {
    toggle(false);
  });
  closeBtn.setAttribute("aria-label", T.close);
  head.appendChild(closeBtn);

  var log = el("div", "liso-w-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-label", title);
  log.tabIndex = 0;
  var welcome = el("div", "liso-w-msg liso-w-bot");
  welcome.appendChild(el("p", null, ds.welcome || T.welcome));
  var starters = (ds.questions || "")
    .split("|")
    .map(function (q) {
      return q.trim();
    })
    .filter(Boolean);
  if (starters.length) suggest(welcome, starters, T.try);
  log.appendChild(welcome);

  // announced once per answer; the log itself is not live, so the user's own text and
  // every streamed piece are not read out again
  var live = el("div", "liso-w-sr");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("role", "status");

  var form = el("form", "liso-w-form");
  form.noValidate = true;
  var input = el("textarea", "liso-w-input");
  input.rows = 1;
  input.placeholder = T.placeholder;
  input.setAttribute("aria-label", T.label);
  input.setAttribute("aria-describedby", "liso-w-note");
  var sendBtn = el("button", "liso-w-send", T.send);
  sendBtn.type = "submit";
  var note = el("div", "liso-w-note");
  note.id = "liso-w-note";
  form.appendChild(input);
  form.appendChild(sendBtn);
  form.appendChild(note);

  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(live);
  panel.appendChild(form);
  root.appendChild(panel);
  root.appendChild(bubble);

  function mount() {
    document.body.appendChild(root);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  // --- the dialog: open, close, focus kept inside -----------------------------------
  function toggle(open) {
    panel.hidden = !open;
    root.classList.toggle("liso-w-open", open);
    bubble.setAttribute("aria-expanded", String(open));
    bubble.setAttribute("aria-label", open ? T.shut : T.open);
    if (open) input.focus();
    else bubble.focus();
  }
  bubble.addEventListener("click", function () {
    toggle(panel.hidden);
  });
  function focusables() {
    return Array.prototype.filter.call(
      panel.querySelectorAll("a[href],button:not([disabled]),textarea,input,[tabindex='0']"),
      function (e) {
        return e.offsetParent !== null || e === document.activeElement;
      }
    );
  }
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      e.preventDefault();
      toggle(false);
    } else if (e.key === "Tab") {
      var f = focusables();
      if (!f.length) return;
      var first = f[0];
      var last = f[f.length - 1];
      var i = f.indexOf(document.activeElement);
      if (e.shiftKey && (i <= 0 || !panel.contains(document.activeElement))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (i === f.length - 1 || i < 0)) {
        e.preventDefault();
        first.focus();
      }
    }
  });
  // focus that leaves the open dialog (a click on the page, a screen reader) comes back
  document.addEventListener("focusin", function (e) {
    if (!panel.hidden && !root.contains(e.target)) input.focus();
  });

  // --- the question box: counter near the limit, never cut silently -----------------
  function say(text, bad) {
    note.textContent = text;
    note.classList.toggle("liso-w-bad", !!bad);
  }
  function checkLength() {
    var n = input.value.length;
    if (n > MAX) {
      say(fmt(T.tooLong, { n: num(n), max: num(MAX) }), true);
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
      say(n >= WARN ? fmt(T.count, { n: num(n), max: num(MAX) }) : "", false);
    }
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 160) + "px";
    return n <= MAX;
  }
  input.addEventListener("input", checkLength);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    submit();
  });
  function submit() {
    var q = input.value.trim();
    if (!q) {
      say(T.empty, true);
      input.focus();
      return;
    }
    if (busy) {
      say(T.busy, false);
      return;
    }
    if (!checkLength()) {
      input.focus();
      return;
    }
    input.value = "";
    checkLength();
    ask(q);
  }

  // --- rendering ----------------------------------------------------------------------
  var history = [];
  var busy = false;

  function kindName(k) {
    return T.kinds[k] || k.replace(/_/g, " ");
  }
  function citeUrl(c) {
    var page = c.principle_id || c.id;
    return api + "/principles/" + encodeURIComponent(page) + "#" + encodeURIComponent(c.id);
  }
  // a citation as a chip: "2", named "Bron 2: Synergie, werkzaam element"
  function chip(c) {
    var a = el("a", "liso-w-chip", String(c.n));
    a.href = citeUrl(c);
    a.target = "_blank";
    a.rel = "noopener";
    var name = T.source + " " + c.n + ": " + [c.kernelement, kindName(c.kind)].filter(Boolean).join(", ");
    a.setAttribute("aria-label", name);
    a.title = c.text;
    return a;
  }
  // inline text: **bold**, _italic_ and [n] as chips, all as DOM nodes
  function inline(node, text, byN) {
    var re = /\*\*([^*]+)\*\*|(^|[\s(])_([^_]+)_(?=[\s.,;:!?)]|$)|\[(\d+)\]/g;
    var last = 0;
    var m;
    while ((m = re.exec(text))) {
      node.appendChild(document.createTextNode(text.slice(last, m.index) + (m[2] || "")));
      if (m[1] != null) inline(node.appendChild(el("strong")), m[1], byN);
      else if (m[3] != null) inline(node.appendChild(el("em")), m[3], byN);
      else if (byN[m[4]]) node.appendChild(chip(byN[m[4]]));
      else node.appendChild(document.createTextNode(m[0]));
      last = re.lastIndex;
    }
    node.appendChild(document.createTextNode(text.slice(last)));
    return node;
  }
  // the markdown of an answer (paragraphs, "- " and "1. " lists) as real elements
  function markdown(node, text, byN) {
    var list = null;
    text.split(/\n/).forEach(function (line) {
      var m = /^\s*(?:([-*])|(\d+)\.)\s+(.*)$/.exec(line);
      if (m) {
        var tag = m[1] ? "ul" : "ol";
        if (!list || list.tagName.toLowerCase() !== tag) list = node.appendChild(el(tag));
        if (m[2] && list.children.length === 0) list.start = +m[2];
        inline(list.appendChild(el("li")), m[3], byN);
      } else {
        list = null;
        if (line.trim()) inline(node.appendChild(el("p")), line, byN);
      }
    });
    return node;
  }
  function lineItem(ul, line, byN) {
    var li = ul.appendChild(el("li"));
    inline(li, line.text + " ", byN);
    if (byN[line.n]) li.appendChild(chip(byN[line.n]));
  }
  // one principle as a card: statement, core element, phase, (E), Delphi bar, lines
  function card(b, byN) {
    var box = el("section", "liso-w-card");
    var stmt = el("h3", "liso-w-card-title");
    inline(stmt, b.statement.text + " ", byN);
    if (byN[b.statement.n]) stmt.appendChild(chip(byN[b.statement.n]));
    box.appendChild(stmt);
    var meta = el("p", "liso-w-card-meta");
    var bits = [b.kernelement, b.deelelement, b.phase ? T.phase + " " + b.phase : ""].filter(Boolean);
    meta.appendChild(document.createTextNode(bits.join(" · ")));
    if (b.expert_added) {
      var e = el("abbr", "liso-w-badge", T.expert);
      e.title = T.expertLong;
      e.setAttribute("aria-label", T.expertLong);
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(e);
    }
    box.appendChild(meta);
    var mean = b.delphi && b.delphi.mean;
    if (mean != null) {
      var score = el("p", "liso-w-score");
      var bar = el("span", "liso-w-bar");
      bar.setAttribute("aria-hidden", "true");
      var fill = bar.appendChild(el("span"));
      fill.style.width = Math.round((mean / 5) * 100) + "%";
      score.appendChild(bar);
      score.appendChild(el("span", null, fmt(T.mean, { m: dec(mean) })));
      box.appendChild(score);
    }
    if (b.earlier) {
      var p = el("p", "liso-w-earlier");
      p.appendChild(el("strong", null, T.earlier + ": "));
      inline(p, b.earlier.text + " ", byN);
      if (byN[b.earlier.n]) p.appendChild(chip(byN[b.earlier.n]));
      box.appendChild(p);
    }
    [
      [b.works, T.works],
      [b.promoting, T.helps],
      [b.hindering, T.hinders],
      [b.tip ? [b.tip] : [], ""],
    ].forEach(function (part) {
      if (!part[0] || !part[0].length) return;
      if (part[1]) box.appendChild(el("p", "liso-w-card-sub", part[1]));
      var ul = box.appendChild(el("ul"));
      part[0].forEach(function (line) {
        lineItem(ul, line, byN);
      });
    });
    return box;
  }
  function renderSources(box, citations) {
    box.textContent = "";
    if (!citations || !citations.length) return;
    box.appendChild(el("h3", "liso-w-sources-title", T.sources));
    var ol = box.appendChild(el("ol"));
    citations.forEach(function (c) {
      var li = ol.appendChild(el("li"));
      li.value = c.n;
      var a = li.appendChild(el("a", null, c.text.length > 160 ? c.text.slice(0, 157) + "…" : c.text));
      a.href = citeUrl(c);
      a.target = "_blank";
      a.rel = "noopener";
      li.appendChild(el("span", "liso-w-meta", " — " + (c.label || c.kernelement)));
    });
  }
  function suggest(node, questions, lead) {
    var box = node.appendChild(el("div", "liso-w-suggest"));
    if (lead) box.appendChild(el("p", null, lead));
    var ul = box.appendChild(el("ul"));
    questions.forEach(function (q) {
      ul.appendChild(el("li")).appendChild(
        button("liso-w-ask", q, function () {
          if (busy) return say(T.busy, false);
          ask(q);
        })
      );
    });
  }

  function errorInfo(err) {
    if (err && (err.message_nl || err.message_en)) {
      return { text: lang === "en" ? err.message_en : err.message_nl, offline: false };
    }
    if (err instanceof TypeError) return { text: T.offline, offline: true };
    return { text: T.error, offline: false };
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

  function setBusy(on) {
    busy = on;
    sendBtn.disabled = on;
    log.setAttribute("aria-busy", String(on));
  }
  // the start of a new answer at the top of the log, not its end
  function showStart(node) {
    log.scrollTop = Math.max(0, node.offsetTop - log.offsetTop - 8);
  }

  function ask(question) {
    setBusy(true);
    say("", false);
    var mine = log.appendChild(el("div", "liso-w-msg liso-w-user", question));
    var msg = log.appendChild(el("div", "liso-w-msg liso-w-bot liso-w-pending"));
    var body = msg.appendChild(el("div", "liso-w-text"));
    body.appendChild(el("p", null, T.thinking));
    var summary = el("div", "liso-w-summary");
    var cards = el("div", "liso-w-cards");
    var sources = el("div", "liso-w-sources");
    var byN = {};
    var text = "";
    var structured = false;
    var done = false;
    showStart(mine);

    function cite(list) {
      (list || []).forEach(function (c) {
        byN[c.n] = c;
      });
    }
    function structure() {
      if (structured) return;
      structured = true;
      msg.classList.remove("liso-w-pending");
      body.textContent = "";
      body.appendChild(summary);
      body.appendChild(cards);
    }
    function finish(answer) {
      done = true;
      msg.classList.remove("liso-w-pending");
      cite(answer.citations);
      if (answer.blocks && answer.blocks.length) {
        structure();
        summary.textContent = "";
        markdown(summary, answer.summary || "", byN);
        if (cards.children.length !== answer.blocks.length) {
          cards.textContent = "";
          answer.blocks.forEach(function (b) {
            cards.appendChild(card(b, byN));
          });
        }
        if (answer.not_covered) markdown(body.appendChild(el("div")), answer.not_covered, byN);
      } else {
        body.textContent = "";
        markdown(body, answer.answer || text, byN);
      }
      if (answer.notice) body.appendChild(el("p", "liso-w-meta", answer.notice));
      if (answer.suggestions && answer.suggestions.length) suggest(msg, answer.suggestions);
      msg.appendChild(sources);
      renderSources(sources, answer.citations);
      history.push({ role: "user", content: question });
      history.push({ role: "assistant", content: (answer.answer || text).slice(0, 4000) });
      live.textContent = T.answer + (answer.summary || answer.answer || text).replace(/\[\d+\]|\*\*|_/g, "");
    }

    fetch(api + "/api/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ question: question, history: history.slice(-8) }),
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
          if (event === "summary") {
            cite(data.citations);
            structure();
            summary.textContent = "";
            markdown(summary, data.text || "", byN);
          } else if (event === "block") {
            cite(data.citations);
            structure();
            cards.appendChild(card(data.block, byN));
          } else if (event === "token") {
            text += data.text || "";
            if (!structured) {
              msg.classList.remove("liso-w-pending");
              body.textContent = "";
              markdown(body, text, byN);
            }
          } else if (event === "done") {
            finish(data);
          } else if (event === "error") {
            throw data;
          }
        });
      })
      .then(function () {
        if (!done) throw {};
      })
      .catch(function (err) {
        var info = errorInfo(err);
        msg.classList.remove("liso-w-pending");
        msg.classList.add("liso-w-error");
        msg.setAttribute("role", "alert");
        body.textContent = "";
        body.appendChild(el("p", null, info.text));
        var again = msg.appendChild(el("div", "liso-w-actions"));
        function drop() {
          log.removeChild(mine);
          log.removeChild(msg);
        }
        again.appendChild(
          button("liso-w-act", T.retry, function () {
            if (busy) return say(T.busy, false);
            drop();
            ask(question);
          })
        );
        again.appendChild(
          button("liso-w-act", T.edit, function () {
            drop();
            input.value = question;
            checkLength();
            input.focus();
          })
        );
        // the typed question is kept: back in the box unless something new was typed
        if (!input.value.trim()) {
          input.value = question;
          checkLength();
        }
        if (info.offline) say(T.offline, true);
      })
      .then(function () {
        setBusy(false);
      });
  }
})();
